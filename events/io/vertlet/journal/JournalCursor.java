package io.vertlet.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Pull-style reading of records with {@code seq >= fromSeq}, one segment open at a time: for callers
 * that want an iterator rather than a visitor. Damage is thrown as an {@link UncheckedIOException}
 * wrapping {@link JournalCorruptException} (an incomplete record at the very end of the newest
 * segment just ends the iteration, as in {@link JournalReader.Mode#LIVE}).
 */
public final class JournalCursor implements Iterator<JournalRecord>, AutoCloseable {

  private final Path dir;
  private final List<Path> segments;
  private final long fromSeq;
  private int index = -1;
  private SegmentScanner scanner;
  private JournalRecord next;

  public JournalCursor(Path journalDir, long fromSeq) throws IOException {
    this.dir = journalDir;
    this.segments = Segments.list(journalDir);
    this.fromSeq = fromSeq;
    // Start in the last segment whose first record is at or before fromSeq.
    while (index + 1 < segments.size() - 1 && JournalFormat.firstSeqOf(segments.get(index + 2)) <= fromSeq) {
      index++;
    }
  }

  @Override
  public boolean hasNext() {
    if (next != null) {
      return true;
    }
    try {
      next = advance();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return next != null;
  }

  @Override
  public JournalRecord next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    JournalRecord r = next;
    next = null;
    return r;
  }

  private JournalRecord advance() throws IOException {
    while (true) {
      if (scanner == null) {
        if (index + 1 >= segments.size()) {
          return null;
        }
        index++;
        Path seg = segments.get(index);
        try {
          scanner = new SegmentScanner(seg);
        } catch (NoSuchFileException deletedByRetention) {
          continue;
        }
        if (!scanner.openHeader(JournalFormat.firstSeqOf(seg))) {
          checkDamage();
          closeScanner();
          continue;
        }
      }
      JournalRecord r = scanner.next();
      if (r == null) {
        checkDamage();
        closeScanner();
        continue;
      }
      if (r.seq() >= fromSeq) {
        return r;
      }
    }
  }

  private void checkDamage() throws IOException {
    Damage damage = scanner.result().damage();
    boolean liveTail = index == segments.size() - 1 && damage != null && !damage.validAfter();
    if (damage != null && !liveTail) {
      closeScanner();
      throw new JournalCorruptException(dir, damage);
    }
  }

  private void closeScanner() throws IOException {
    if (scanner != null) {
      scanner.close();
      scanner = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeScanner();
  }
}
