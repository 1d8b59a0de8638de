package io.vertlet.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshot files {@code journal/snapshots/<seq>.snap}: opaque projection bytes valid as of sequence
 * number {@code seq}, framed and checksummed so a half-written or damaged snapshot is skipped and the
 * next older one used.
 *
 * <pre>
 * snapshot = magic:u32 "VTSN" | format:u32 (1) | seq:u64 | length:u32 | crc32c(payload):u32 | payload
 * </pre>
 */
public final class Snapshots {

  public static final int MAGIC = 0x5654534E; // "VTSN"
  public static final int HEADER_BYTES = 24;
  /** Snapshots kept after a new one is written: the newest, and one more in case it is ever damaged. */
  public static final int KEEP = 2;
  private static final Pattern NAME = Pattern.compile("\\d{20}\\.snap");

  /** A snapshot as read back. */
  public record Snapshot(long seq, byte[] payload, Path file) {}

  private Snapshots() {}

  public static Path dir(Path journalDir) {
    return journalDir.resolve(JournalFormat.SNAPSHOT_DIR);
  }

  public static String fileName(long seq) {
    return String.format("%020d.snap", seq);
  }

  /** Writes atomically (temp file, fsync, rename, fsync dir) so a crash leaves the old set intact. */
  public static Path write(Path journalDir, long seq, byte[] payload) throws IOException {
    Path dir = dir(journalDir);
    Files.createDirectories(dir);
    Path target = dir.resolve(fileName(seq));
    Path tmp = dir.resolve(fileName(seq) + ".tmp");
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES)
        .putInt(MAGIC).putInt(JournalFormat.FORMAT_VERSION).putLong(seq).putInt(payload.length)
        .putInt((int) crc.getValue()).flip();
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer body = ByteBuffer.wrap(payload);
      while (header.hasRemaining() || body.hasRemaining()) {
        ch.write(new ByteBuffer[] {header, body});
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Segments.fsyncDirectory(dir);
    return target;
  }

  /** Snapshot files, newest first (by the sequence number in the name). */
  public static List<Path> list(Path journalDir) throws IOException {
    Path dir = dir(journalDir);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.reverseOrder())
          .toList();
    }
  }

  /** The newest snapshot that checks out and is not past {@code maxSeq}; empty when there is none. */
  public static Optional<Snapshot> newestValid(Path journalDir, long maxSeq) throws IOException {
    for (Path file : list(journalDir)) {
      Optional<Snapshot> s = read(file);
      if (s.isPresent() && s.get().seq() <= maxSeq) {
        return s;
      }
    }
    return Optional.empty();
  }

  /** Reads and checks one snapshot; empty when it is damaged (the reason is in {@link #check}). */
  public static Optional<Snapshot> read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (check(file, all) != null) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(all);
    long seq = b.getLong(8);
    int len = b.getInt(16);
    byte[] payload = new byte[len];
    b.get(HEADER_BYTES, payload);
    return Optional.of(new Snapshot(seq, payload, file));
  }

  /** Null when the snapshot file is sound, else what is wrong with it. */
  public static String check(Path file, byte[] all) {
    if (all.length < HEADER_BYTES) {
      return "snapshot " + file.getFileName() + " is " + all.length + " bytes, shorter than its header";
    }
    ByteBuffer b = ByteBuffer.wrap(all);
    if (b.getInt(0) != MAGIC) {
      return "snapshot " + file.getFileName() + " has a bad magic number";
    }
    long seq = b.getLong(8);
    if (!file.getFileName().toString().equals(fileName(seq))) {
      return "snapshot " + file.getFileName() + " says it is for sequence " + seq;
    }
    int len = b.getInt(16);
    if (len < 0 || len != all.length - HEADER_BYTES) {
      return "snapshot " + file.getFileName() + " payload length " + len + " does not match the file size";
    }
    CRC32C crc = new CRC32C();
    crc.update(all, HEADER_BYTES, len);
    if ((int) crc.getValue() != b.getInt(20)) {
      return "snapshot " + file.getFileName() + " fails its CRC32C";
    }
    return null;
  }

  /** Deletes all but the newest {@link #KEEP} snapshots; returns what it deleted. */
  public static List<Path> prune(Path journalDir) throws IOException {
    List<Path> all = list(journalDir);
    List<Path> deleted = new ArrayList<>();
    for (int i = KEEP; i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
      deleted.add(all.get(i));
    }
    return deleted;
  }
}
