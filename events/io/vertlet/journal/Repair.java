package io.vertlet.journal;

import io.vertlet.events.JournalFact.JournalRepaired;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Cutting a journal back to its last sound record. Nothing is discarded unseen: the segment is
 * copied to {@code <segment>.broken} (or {@code .broken.N} when that exists) before it is truncated,
 * whole segments past the cut are renamed to {@code .broken}, and snapshots newer than what remains
 * are renamed aside too, since sequence numbers past the cut will be reused.
 */
public final class Repair {

  private Repair() {}

  /**
   * Truncates {@code segment} at {@code offset} (a frame boundary, or 0 to rewrite a damaged header),
   * keeping a copy first. Returns the fact that records it.
   */
  public static JournalRepaired truncate(Path journalDir, Path segment, long offset, String reason) throws IOException {
    long size = Files.size(segment);
    Path copy = brokenName(segment);
    Files.copy(segment, copy, StandardCopyOption.COPY_ATTRIBUTES);
    try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    long firstSeq = JournalFormat.firstSeqOf(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      if (offset < JournalFormat.SEGMENT_HEADER_BYTES) {
        // The header itself is damaged: keep an empty segment with a sound header.
        ch.truncate(0);
        ch.write(header(firstSeq), 0);
      } else {
        ch.truncate(offset);
      }
      ch.force(true);
    }
    Segments.fsyncDirectory(journalDir);
    long kept = Math.max(offset, JournalFormat.SEGMENT_HEADER_BYTES);
    return new JournalRepaired(segment.getFileName().toString(), offset, Math.max(0, size - kept),
        copy.getFileName().toString(), reason);
  }

  /**
   * The operator's recovery from damage in the middle ({@code vertlet journal repair --truncate-at}):
   * truncates {@code segmentName} at {@code offset} and sets every later segment aside. Returns a
   * line per action, for people.
   */
  public static List<String> truncateAt(Path journalDir, String segmentName, long offset) throws IOException {
    List<Path> segments = Segments.list(journalDir);
    Path target = journalDir.resolve(segmentName);
    if (!segments.contains(target)) {
      throw new IOException("no segment " + segmentName + " in " + journalDir);
    }
    long size = Files.size(target);
    if (offset < 0 || offset > size) {
      throw new IOException("offset " + offset + " is outside " + segmentName + " (" + size + " bytes)");
    }
    List<String> done = new ArrayList<>();
    for (Path later : segments) {
      if (later.compareTo(target) > 0) {
        Path aside = brokenName(later);
        Files.move(later, aside);
        done.add("set aside " + later.getFileName() + " as " + aside.getFileName());
      }
    }
    JournalRepaired cut = truncate(journalDir, target, offset, "operator repair --truncate-at");
    done.add("copied " + segmentName + " to " + cut.brokenCopy() + ", cut " + cut.bytesCut() + " bytes at offset " + offset);
    long lastSeq;
    try (SegmentScanner scanner = new SegmentScanner(target)) {
      SegmentScanner.Result r = scanner.scan(JournalFormat.firstSeqOf(target), rec -> true);
      if (r.damage() != null) {
        done.add("note: " + r.damage() + " remains; start-up will treat it as a torn tail");
      }
      lastSeq = r.lastSeq();
    }
    done.addAll(setAsideSnapshotsAfter(journalDir, lastSeq));
    Segments.fsyncDirectory(journalDir);
    return done;
  }

  /** Renames snapshots past {@code lastSeq} aside: they describe records that no longer exist. */
  static List<String> setAsideSnapshotsAfter(Path journalDir, long lastSeq) throws IOException {
    List<String> done = new ArrayList<>();
    for (Path snap : Snapshots.list(journalDir)) {
      String name = snap.getFileName().toString();
      long seq = Long.parseLong(name.substring(0, name.indexOf('.')));
      if (seq > lastSeq) {
        Path aside = brokenName(snap);
        Files.move(snap, aside);
        done.add("set aside snapshot " + name + " (past the journal's end, sequence " + lastSeq + ")");
      }
    }
    return done;
  }

  static ByteBuffer header(long firstSeq) {
    return ByteBuffer.allocate(JournalFormat.SEGMENT_HEADER_BYTES)
        .putInt(JournalFormat.SEGMENT_MAGIC).putInt(JournalFormat.FORMAT_VERSION).putLong(firstSeq).flip();
  }

  private static Path brokenName(Path file) {
    Path copy = file.resolveSibling(file.getFileName() + JournalFormat.BROKEN_SUFFIX);
    for (int n = 1; Files.exists(copy); n++) {
      copy = file.resolveSibling(file.getFileName() + JournalFormat.BROKEN_SUFFIX + "." + n);
    }
    return copy;
  }
}
