package io.vertlet.journal;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * Reads records in sequence order from a sequence number on, across segments, optionally filtered.
 * Needs no writer and no lock: it is what the CLI and projections use, and it may run beside the
 * live writer.
 */
public final class JournalReader {

  /** What to do with damage. */
  public enum Mode {
    /** Any damage throws {@link JournalCorruptException} (replay, recovery, verify-like use). */
    STRICT,
    /**
     * An incomplete record at the very end of the newest segment is where the writer is still
     * writing: stop there quietly. Damage anywhere else still throws.
     */
    LIVE
  }

  private final Path dir;
  private final Mode mode;

  public JournalReader(Path journalDir, Mode mode) {
    this.dir = journalDir;
    this.mode = mode;
  }

  /**
   * Visits records with {@code fromSeq <= seq <= toSeq} that pass {@code filter}, in order; stops
   * when the visitor returns false. Returns the sequence number of the last record read (filtered
   * or not), or {@code fromSeq - 1} when none was.
   */
  public long read(long fromSeq, long toSeq, Predicate<JournalRecord> filter, SegmentScanner.Visitor visitor)
      throws IOException {
    List<Path> segments = Segments.list(dir);
    long last = fromSeq - 1;
    for (int i = 0; i < segments.size(); i++) {
      Path seg = segments.get(i);
      long first = JournalFormat.firstSeqOf(seg);
      if (first > toSeq) {
        break;
      }
      if (i + 1 < segments.size() && JournalFormat.firstSeqOf(segments.get(i + 1)) <= fromSeq) {
        continue; // wholly before fromSeq
      }
      boolean isLast = i == segments.size() - 1;
      try (SegmentScanner scanner = new SegmentScanner(seg)) {
        boolean stop = false;
        if (scanner.openHeader(first)) {
          JournalRecord rec;
          while ((rec = scanner.next()) != null) {
            if (rec.seq() > toSeq) {
              stop = true;
              break;
            }
            last = Math.max(last, rec.seq());
            if (rec.seq() >= fromSeq && filter.test(rec) && !visitor.visit(rec)) {
              stop = true;
              break;
            }
          }
        }
        Damage damage = scanner.result().damage();
        if (!stop && damage != null && !(mode == Mode.LIVE && isLast && !damage.validAfter())) {
          throw new JournalCorruptException(dir, damage);
        }
        if (stop) {
          return last;
        }
      } catch (NoSuchFileException deletedByRetention) {
        // Retention removed it while we listed: its records were covered by a snapshot; go on.
      }
    }
    return last;
  }

  public Path dir() {
    return dir;
  }
}
