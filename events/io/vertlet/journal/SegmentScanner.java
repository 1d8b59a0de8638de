package io.vertlet.journal;

import static io.vertlet.journal.JournalFormat.BODY_FIXED_BYTES;
import static io.vertlet.journal.JournalFormat.FRAME_HEADER_BYTES;
import static io.vertlet.journal.JournalFormat.MAX_BODY_BYTES;
import static io.vertlet.journal.JournalFormat.MIN_BODY_BYTES;
import static io.vertlet.journal.JournalFormat.SEGMENT_HEADER_BYTES;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads one segment frame by frame through a large buffer (one read syscall per megabytes, not per
 * record), checking length, CRC32C and sequence continuity. Stops at the first frame that does not
 * check out and says where and why; the caller decides whether that is a torn tail or corruption.
 */
public final class SegmentScanner implements AutoCloseable {

  /** Receives each sound record; return false to stop early. */
  @FunctionalInterface
  public interface Visitor {
    boolean visit(JournalRecord record);
  }

  /**
   * The outcome of a scan.
   *
   * @param firstSeq the first sequence number named by the header
   * @param lastSeq last sound record's sequence number (firstSeq - 1 when there is none)
   * @param validEnd byte offset just past the last sound record
   * @param size the file's size when the scan ended
   * @param damage null when the segment is sound to its end (or the visitor stopped)
   */
  public record Result(long firstSeq, long lastSeq, long validEnd, long size, Damage damage) {}

  private static final int BUFFER_BYTES = 1 << 20;

  private final Path path;
  private final String name;
  private final FileChannel channel;
  private final CRC32C crc = new CRC32C();
  private final Map<Integer, String> typeNames = new HashMap<>();
  private ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
  /** File offset of buf's position 0 content. */
  private long bufStart;

  public SegmentScanner(Path path) throws IOException {
    this.path = path;
    this.name = path.getFileName().toString();
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
    buf.limit(0);
  }

  /**
   * Scans the whole segment from its header, passing sound records to the visitor.
   *
   * @param expectedFirstSeq what the file name says, checked against the header; -1 to skip the check
   */
  public Result scan(long expectedFirstSeq, Visitor visitor) throws IOException {
    if (!openHeader(expectedFirstSeq)) {
      return result();
    }
    JournalRecord rec;
    while ((rec = next()) != null) {
      if (!visitor.visit(rec)) {
        break;
      }
    }
    return result();
  }

  // Pull-style reading: openHeader(), then next() until null, then result().
  private long firstSeq;
  private long expected;
  private long offset;
  private long size;
  private Damage damage;

  /** Reads and checks the header; false (and {@link #result()} names the damage) when it is bad. */
  public boolean openHeader(long expectedFirstSeq) throws IOException {
    size = channel.size();
    firstSeq = expectedFirstSeq;
    expected = expectedFirstSeq;
    offset = 0;
    if (size < SEGMENT_HEADER_BYTES) {
      damage = new Damage(name, 0, "segment header is " + size + " bytes, expected " + SEGMENT_HEADER_BYTES, false);
      return false;
    }
    fill(SEGMENT_HEADER_BYTES);
    int magic = buf.getInt();
    int format = buf.getInt();
    long headerSeq = buf.getLong();
    if (magic != JournalFormat.SEGMENT_MAGIC) {
      damage = new Damage(name, 0, String.format("not a vertlet journal segment (magic %08x)", magic), false);
      return false;
    }
    if (format != JournalFormat.FORMAT_VERSION) {
      throw new IOException(name + " has journal format version " + format + ", this build reads "
          + JournalFormat.FORMAT_VERSION + "; use a matching vertlet");
    }
    if (expectedFirstSeq >= 0 && headerSeq != expectedFirstSeq) {
      damage = new Damage(name, 0, "header says first sequence " + headerSeq + " but the file name says "
          + expectedFirstSeq, false);
      return false;
    }
    firstSeq = headerSeq;
    expected = headerSeq;
    offset = SEGMENT_HEADER_BYTES;
    return true;
  }

  /** The next sound record, or null at the end of the file or at damage (see {@link #result()}). */
  public JournalRecord next() throws IOException {
    if (damage != null || offset == 0) {
      return null;
    }
    if (!fill(FRAME_HEADER_BYTES)) {
      if (remaining() == 0) {
        size = Math.max(size, offset);
        return null;
      }
      return damaged("frame header cut short (" + remaining() + " of " + FRAME_HEADER_BYTES + " bytes)");
    }
    int length = buf.getInt(buf.position());
    int stored = buf.getInt(buf.position() + 4);
    if (length < MIN_BODY_BYTES || length > MAX_BODY_BYTES) {
      return damaged("implausible record length " + length);
    }
    if (!fill(FRAME_HEADER_BYTES + length)) {
      return damaged("record of " + length + " bytes runs past the end of the file ("
          + (remaining() - FRAME_HEADER_BYTES) + " present)");
    }
    int bodyAt = buf.position() + FRAME_HEADER_BYTES;
    crc.reset();
    crc.update(buf.array(), buf.arrayOffset() + bodyAt, length);
    if ((int) crc.getValue() != stored) {
      return damaged("CRC32C mismatch");
    }
    long seq = buf.getLong(bodyAt);
    if (seq != expected) {
      return damaged("sequence " + seq + " where " + expected + " was expected");
    }
    long at = buf.getLong(bodyAt + 8);
    int version = Short.toUnsignedInt(buf.getShort(bodyAt + 16));
    int typeLen = Byte.toUnsignedInt(buf.get(bodyAt + 18));
    int payloadLen = length - BODY_FIXED_BYTES - typeLen;
    if (typeLen == 0 || payloadLen < 0) {
      return damaged("type name length " + typeLen + " does not fit the record");
    }
    String type = typeName(bodyAt + BODY_FIXED_BYTES, typeLen);
    byte[] payload = new byte[payloadLen];
    buf.get(bodyAt + BODY_FIXED_BYTES + typeLen, payload);
    buf.position(bodyAt + length);
    long frameOffset = offset;
    offset += FRAME_HEADER_BYTES + length;
    expected++;
    return new JournalRecord(seq, at, type, version, payload, name, frameOffset);
  }

  /** Where reading stands: last sound record, the offset past it, and any damage met. */
  public Result result() {
    return new Result(firstSeq, expected - 1, offset, Math.max(size, offset), damage);
  }

  private JournalRecord damaged(String reason) throws IOException {
    long now = channel.size();
    size = now;
    boolean validAfter = soundRecordAfter(offset, expected - 1, now);
    damage = new Damage(name, offset, reason, validAfter);
    return null;
  }

  /**
   * Looks for any sound record past a damaged frame. Only run on damage, so it may be slow: it tries
   * every offset, but rejects most at once because a real record's sequence must lie just after the
   * last good one.
   */
  private boolean soundRecordAfter(long damageOffset, long lastGoodSeq, long size) throws IOException {
    long from = damageOffset + 1;
    if (size - from < FRAME_HEADER_BYTES + MIN_BODY_BYTES) {
      return false;
    }
    long maxSeq = lastGoodSeq + 1 + (size - from) / (FRAME_HEADER_BYTES + MIN_BODY_BYTES);
    MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, from, size - from);
    int span = map.limit();
    CRC32C probe = new CRC32C();
    for (int at = 0; at + FRAME_HEADER_BYTES + MIN_BODY_BYTES <= span; at++) {
      int length = map.getInt(at);
      if (length < MIN_BODY_BYTES || length > span - at - FRAME_HEADER_BYTES) {
        continue;
      }
      long seq = map.getLong(at + FRAME_HEADER_BYTES);
      if (seq <= lastGoodSeq || seq > maxSeq) {
        continue;
      }
      probe.reset();
      probe.update(map.slice(at + FRAME_HEADER_BYTES, length));
      if ((int) probe.getValue() == map.getInt(at + 4)) {
        return true;
      }
    }
    return false;
  }

  private String typeName(int at, int len) {
    // Types repeat endlessly; hash the bytes to reuse one String per type instead of one per record.
    int h = len;
    byte[] a = buf.array();
    int base = buf.arrayOffset() + at;
    for (int i = 0; i < len; i++) {
      h = 31 * h + a[base + i];
    }
    String known = typeNames.get(h);
    if (known != null && known.length() == len && sameAscii(known, a, base, len)) {
      return known;
    }
    String type = new String(a, base, len, StandardCharsets.US_ASCII);
    typeNames.put(h, type);
    return type;
  }

  private static boolean sameAscii(String s, byte[] a, int base, int len) {
    for (int i = 0; i < len; i++) {
      if (s.charAt(i) != (char) a[base + i]) {
        return false;
      }
    }
    return true;
  }

  private int remaining() {
    return buf.remaining();
  }

  /** Makes at least {@code need} bytes available from the current position; false at end of file. */
  private boolean fill(int need) throws IOException {
    if (buf.remaining() >= need) {
      return true;
    }
    if (need > buf.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, buf.capacity() * 2));
      bigger.put(buf);
      bigger.flip();
      buf = bigger;
    }
    boolean eof = false;
    while (buf.remaining() < need && !eof) {
      bufStart += buf.position();
      buf.compact();
      int n = channel.read(buf, bufStart + buf.position());
      buf.flip();
      if (n < 0) {
        eof = true;
      } else if (n == 0 && buf.position() == 0 && buf.limit() == buf.capacity()) {
        throw new EOFException("buffer full while reading " + path);
      }
    }
    return buf.remaining() >= need;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
