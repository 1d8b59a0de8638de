package io.vertlet.journal;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The on-disk layout, in one place (docs/journal-format.md explains it for people). All integers are
 * big-endian.
 *
 * <pre>
 * segment  = header record*
 * header   = magic:u32 "VTJL" | format:u32 (1) | firstSeq:u64            (16 bytes)
 * record   = length:u32 | crc32c:u32 | body                              (8 + length bytes)
 * body     = seq:u64 | atEpochNanos:u64 | schemaVersion:u16 | typeLen:u8 | type:ASCII | payload:JSON
 * </pre>
 *
 * The CRC32C covers the whole body, so a flipped bit anywhere in seq, time, type or payload is found.
 */
public final class JournalFormat {

  private JournalFormat() {}

  public static final int SEGMENT_MAGIC = 0x56544A4C; // "VTJL"
  public static final int FORMAT_VERSION = 1;
  public static final int SEGMENT_HEADER_BYTES = 16;

  /** length + crc in front of every body. */
  public static final int FRAME_HEADER_BYTES = 8;
  /** seq + time + version + typeLen, before the type name. */
  public static final int BODY_FIXED_BYTES = 8 + 8 + 2 + 1;
  /** A body must name a type of at least one character. */
  public static final int MIN_BODY_BYTES = BODY_FIXED_BYTES + 1;
  /** Larger lengths are taken as damage, not as a record: no fact comes near this size. */
  public static final int MAX_BODY_BYTES = 64 << 20;
  public static final int MAX_TYPE_BYTES = 255;

  public static final String SEGMENT_SUFFIX = ".seg";
  public static final String BROKEN_SUFFIX = ".broken";
  public static final String JOURNAL_DIR = "journal";
  public static final String SNAPSHOT_DIR = "snapshots";
  private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.seg");

  /** {@code 00000000000000000001.seg}: named by the sequence number of its first record. */
  public static String segmentName(long firstSeq) {
    return String.format("%020d%s", firstSeq, SEGMENT_SUFFIX);
  }

  public static boolean isSegmentName(String fileName) {
    return SEGMENT_NAME.matcher(fileName).matches();
  }

  public static long firstSeqOf(Path segment) {
    String name = segment.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - SEGMENT_SUFFIX.length()));
  }

  /**
   * The journal folder for a user-supplied directory: the agent's root dir (holding {@code journal/})
   * or the journal folder itself (holding segments or snapshots/), so the CLI accepts either.
   */
  public static Path journalDir(Path dir) {
    if (dir.getFileName() != null && dir.getFileName().toString().equals(JOURNAL_DIR)) {
      return dir;
    }
    Path nested = dir.resolve(JOURNAL_DIR);
    if (java.nio.file.Files.isDirectory(nested)) {
      return nested;
    }
    try (var list = java.nio.file.Files.list(dir)) {
      if (list.anyMatch(p -> isSegmentName(p.getFileName().toString()))) {
        return dir;
      }
    } catch (java.io.IOException | java.io.UncheckedIOException notADir) {
      // fall through: the nested path is the answer, and opening it names what is missing
    }
    return nested;
  }
}
