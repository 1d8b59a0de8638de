package io.vertlet.journal;

import io.vertlet.events.Committed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What start-up and replay need: the newest valid snapshot (if any) and the committed facts after
 * it. {@code projection = decode(snapshot) then fold(tail)} equals folding the whole journal.
 *
 * @param journalDir the journal folder
 * @param snapshot the newest valid snapshot not past the journal's end, or empty
 */
public record Recovery(Path journalDir, Optional<Snapshots.Snapshot> snapshot) {

  /** Finds the newest usable snapshot for the journal in {@code dir} (root dir or journal folder). */
  public static Recovery load(Path dir) throws IOException {
    Path journalDir = JournalFormat.journalDir(dir);
    long end = lastSeq(journalDir);
    return new Recovery(journalDir, Snapshots.newestValid(journalDir, end));
  }

  /** Sequence number the tail starts after: the snapshot's, or 0. */
  public long snapshotSeq() {
    return snapshot.map(Snapshots.Snapshot::seq).orElse(0L);
  }

  /** Folds the tail: every committed fact after the snapshot, in order, decoded. */
  public long forEachAfterSnapshot(Consumer<Committed> consumer) throws IOException {
    return forEach(snapshotSeq() + 1, Long.MAX_VALUE, consumer);
  }

  /**
   * The tail as an iterator of decoded facts after the snapshot; close it when done. Damage in the
   * middle surfaces as an {@link java.io.UncheckedIOException} wrapping {@link JournalCorruptException}.
   */
  public Tail tail() throws IOException {
    return new Tail(new JournalCursor(journalDir, snapshotSeq() + 1));
  }

  /** An iterator of committed facts that holds one segment open. */
  public static final class Tail implements java.util.Iterator<Committed>, AutoCloseable {
    private final JournalCursor cursor;

    Tail(JournalCursor cursor) {
      this.cursor = cursor;
    }

    @Override
    public boolean hasNext() {
      return cursor.hasNext();
    }

    @Override
    public Committed next() {
      return cursor.next().toCommitted();
    }

    @Override
    public void close() throws IOException {
      cursor.close();
    }
  }

  /** Committed facts with {@code fromSeq <= seq <= toSeq}, decoded, in order. */
  public long forEach(long fromSeq, long toSeq, Consumer<Committed> consumer) throws IOException {
    return new JournalReader(journalDir, JournalReader.Mode.LIVE).read(fromSeq, toSeq, r -> true, r -> {
      consumer.accept(r.toCommitted());
      return true;
    });
  }

  /** The last sound sequence number in the journal (0 when empty), reading only the newest segment. */
  public static long lastSeq(Path journalDir) throws IOException {
    var segments = Segments.list(journalDir);
    for (int i = segments.size() - 1; i >= 0; i--) {
      Path seg = segments.get(i);
      try (SegmentScanner s = new SegmentScanner(seg)) {
        SegmentScanner.Result r = s.scan(JournalFormat.firstSeqOf(seg), rec -> true);
        if (r.lastSeq() >= r.firstSeq() || i == 0) {
          return Math.max(0, r.lastSeq());
        }
      }
    }
    return 0;
  }
}
