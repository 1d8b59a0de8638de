package io.vertlet.journal;

import static io.vertlet.journal.JournalFormat.BODY_FIXED_BYTES;
import static io.vertlet.journal.JournalFormat.FRAME_HEADER_BYTES;
import static io.vertlet.journal.JournalFormat.SEGMENT_HEADER_BYTES;

import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.JournalFact.JournalRepaired;
import io.vertlet.events.JournalFact.JournalRetentionApplied;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The journal's writing end: one instance per journal folder, used from one thread at a time.
 *
 * <p>{@link #open} checks the files and repairs a torn tail; {@link #append} frames records into a
 * buffer; {@link #commit} writes the buffer with one write call and forces it to disk once under
 * {@link FsyncPolicy#BATCH} (group commit). Under {@link FsyncPolicy#ALWAYS} each append commits
 * itself. A record is durable, and may be acknowledged, only after the commit that covers it returns.
 */
public final class Journal implements AutoCloseable {

  private static final int BUFFER_BYTES = 1 << 20;

  private final Path dir;
  private final JournalConfig config;
  private final List<JournalRepaired> repairs;
  private final List<Path> segments;
  private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
  private final Map<String, byte[]> typeBytes = new HashMap<>();
  private FileChannel active;
  private long activeFirstSeq;
  /** Bytes of the active segment already handed to the file (the buffer holds the rest). */
  private long activeWritten;
  private long nextSeq;
  private long committedSeq;
  private boolean unsynced;
  private long lastFsyncNanos;
  private IOException failure;
  private java.util.function.LongConsumer fsyncObserver = nanos -> { };

  private Journal(Path dir, JournalConfig config, List<JournalRepaired> repairs, List<Path> segments, long lastSeq)
      throws IOException {
    this.dir = dir;
    this.config = config;
    this.repairs = List.copyOf(repairs);
    this.segments = new ArrayList<>(segments);
    this.nextSeq = lastSeq + 1;
    this.committedSeq = lastSeq;
    Path last = this.segments.getLast();
    this.active = FileChannel.open(last, StandardOpenOption.WRITE);
    this.activeFirstSeq = JournalFormat.firstSeqOf(last);
    this.activeWritten = active.size();
    active.position(activeWritten);
  }

  /**
   * Opens (creating if needed) the journal in {@code journalDir}, checking every segment the newest
   * snapshot does not cover. A torn or corrupt tail is copied aside and truncated (see
   * {@link #repairs()}); damage anywhere else throws {@link JournalCorruptException}.
   */
  public static Journal open(Path journalDir, JournalConfig config) throws IOException {
    Files.createDirectories(journalDir);
    List<Path> segments = new ArrayList<>(Segments.list(journalDir));
    List<JournalRepaired> repairs = new ArrayList<>();
    if (segments.isEmpty()) {
      segments.add(createSegment(journalDir, 1, config.fsync()));
      return new Journal(journalDir, config, repairs, segments, 0);
    }
    long coveredUpTo = newestSnapshotSeq(journalDir);
    long lastSeq = -1;
    for (int i = 0; i < segments.size(); i++) {
      Path seg = segments.get(i);
      long first = JournalFormat.firstSeqOf(seg);
      boolean isLast = i == segments.size() - 1;
      if (lastSeq >= 0 && first != lastSeq + 1) {
        throw new JournalCorruptException(journalDir, new Damage(seg.getFileName().toString(), 0,
            "segment starts at sequence " + first + " but the previous one ends at " + lastSeq, false));
      }
      long nextFirst = isLast ? Long.MAX_VALUE : JournalFormat.firstSeqOf(segments.get(i + 1));
      if (!isLast && nextFirst - 1 <= coveredUpTo) {
        // Wholly covered by the newest snapshot: start-up never reads it, `journal verify` does.
        lastSeq = nextFirst - 1;
        continue;
      }
      SegmentScanner.Result r;
      try (SegmentScanner scanner = new SegmentScanner(seg)) {
        r = scanner.scan(first, rec -> true);
      }
      Damage damage = r.damage();
      if (damage != null) {
        if (!isLast || damage.validAfter()) {
          throw new JournalCorruptException(journalDir, damage);
        }
        repairs.add(Repair.truncate(journalDir, seg, r.validEnd(), damage.reason()));
        Repair.setAsideSnapshotsAfter(journalDir, r.lastSeq());
      } else if (!isLast && r.lastSeq() != nextFirst - 1) {
        throw new JournalCorruptException(journalDir, new Damage(seg.getFileName().toString(), r.validEnd(),
            "segment ends at sequence " + r.lastSeq() + " but the next one starts at " + nextFirst, false));
      }
      lastSeq = r.lastSeq();
    }
    return new Journal(journalDir, config, repairs, segments, lastSeq);
  }

  private static long newestSnapshotSeq(Path journalDir) throws IOException {
    return Snapshots.newestValid(journalDir, Long.MAX_VALUE).map(Snapshots.Snapshot::seq).orElse(0L);
  }

  /** What {@link #open} had to cut, one fact per repaired segment, for the writer to journal. */
  public List<JournalRepaired> repairs() {
    return repairs;
  }

  public Path dir() {
    return dir;
  }

  public JournalConfig config() {
    return config;
  }

  /** Sequence number of the last durable record (0 for an empty journal). */
  public long lastSeq() {
    return committedSeq;
  }

  /** Sequence number the next append gets. */
  public long nextSeq() {
    return nextSeq;
  }

  public int segmentCount() {
    return segments.size();
  }

  /** Called on the writing thread with the duration of every fsync, in nanoseconds (for metrics). */
  public void onFsync(java.util.function.LongConsumer observer) {
    this.fsyncObserver = observer;
  }

  /** How long the last fsync took, in nanoseconds. */
  public long lastFsyncNanos() {
    return lastFsyncNanos;
  }

  /** Encodes and appends a fact; durable after the next {@link #commit()} (or at once under ALWAYS). */
  public Committed append(Fact fact, Instant at) throws IOException {
    long seq = append(fact.type(), FactTypes.version(fact.getClass()), JournalRecord.toEpochNanos(at),
        FactCodec.encode(fact));
    return new Committed(seq, at, fact);
  }

  /** Appends an already encoded payload; returns its sequence number. */
  public long append(String type, int version, long atEpochNanos, byte[] payload) throws IOException {
    checkUsable();
    byte[] typeName = typeBytes.computeIfAbsent(type, t -> t.getBytes(StandardCharsets.US_ASCII));
    if (typeName.length == 0 || typeName.length > JournalFormat.MAX_TYPE_BYTES) {
      throw new IllegalArgumentException("fact type name '" + type + "' must be 1-255 ASCII bytes");
    }
    int bodyLen = BODY_FIXED_BYTES + typeName.length + payload.length;
    if (bodyLen > JournalFormat.MAX_BODY_BYTES) {
      throw new IllegalArgumentException("fact " + type + " is " + payload.length + " bytes, above the journal's limit");
    }
    int frameLen = FRAME_HEADER_BYTES + bodyLen;
    try {
      if (activeWritten + out.position() + frameLen > config.segmentBytes()
          && activeWritten + out.position() > SEGMENT_HEADER_BYTES) {
        rotate();
      }
      ByteBuffer target = out;
      if (frameLen > out.remaining()) {
        flushBuffer();
        if (frameLen > out.capacity()) {
          target = ByteBuffer.allocate(frameLen);
        }
      }
      long seq = nextSeq;
      int start = target.position();
      target.putInt(bodyLen).putInt(0).putLong(seq).putLong(atEpochNanos).putShort((short) version)
          .put((byte) typeName.length).put(typeName).put(payload);
      int end = target.position();
      target.position(start + FRAME_HEADER_BYTES).limit(end);
      crc.reset();
      crc.update(target);
      target.limit(target.capacity()).position(end);
      target.putInt(start + 4, (int) crc.getValue());
      if (target != out) {
        target.flip();
        writeFully(target);
      }
      nextSeq++;
      if (config.fsync() == FsyncPolicy.ALWAYS) {
        commit();
      }
      return seq;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * Writes what is buffered and, unless the policy is NONE, forces it to disk. After it returns every
   * appended record is committed. Returns the fsync time in nanoseconds (0 when none was needed).
   */
  public long commit() throws IOException {
    checkUsable();
    try {
      flushBuffer();
      long took = 0;
      if (unsynced && config.fsync() != FsyncPolicy.NONE) {
        long t0 = System.nanoTime();
        active.force(false);
        took = System.nanoTime() - t0;
        lastFsyncNanos = took;
        fsyncObserver.accept(took);
      }
      unsynced = false;
      committedSeq = nextSeq - 1;
      return took;
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  private void flushBuffer() throws IOException {
    if (out.position() == 0) {
      return;
    }
    out.flip();
    writeFully(out);
    out.clear();
  }

  private void writeFully(ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      activeWritten += active.write(b);
    }
    unsynced = true;
  }

  private void rotate() throws IOException {
    flushBuffer();
    if (unsynced && config.fsync() != FsyncPolicy.NONE) {
      long t0 = System.nanoTime();
      active.force(false);
      fsyncObserver.accept(System.nanoTime() - t0);
    }
    unsynced = false;
    active.close();
    Path next = createSegment(dir, nextSeq, config.fsync());
    segments.add(next);
    active = FileChannel.open(next, StandardOpenOption.WRITE);
    activeFirstSeq = nextSeq;
    activeWritten = active.size();
    active.position(activeWritten);
  }

  private static Path createSegment(Path dir, long firstSeq, FsyncPolicy fsync) throws IOException {
    Path path = dir.resolve(JournalFormat.segmentName(firstSeq));
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer header = Repair.header(firstSeq);
      while (header.hasRemaining()) {
        ch.write(header);
      }
      if (fsync != FsyncPolicy.NONE) {
        ch.force(true);
      }
    }
    if (fsync != FsyncPolicy.NONE) {
      Segments.fsyncDirectory(dir);
    }
    return path;
  }

  /** Writes a snapshot of projections as of {@code seq} (which must be committed). */
  public Path writeSnapshot(long seq, byte[] payload) throws IOException {
    if (seq < 0 || seq > committedSeq) {
      throw new IllegalArgumentException("snapshot sequence " + seq + " is not committed (last is " + committedSeq + ")");
    }
    Path file = Snapshots.write(dir, seq, payload);
    Snapshots.prune(dir);
    return file;
  }

  /**
   * Deletes closed segments, oldest first, while the journal is over its size limit or they are
   * older than the age limit, but only segments whose every record is at or before the newest valid
   * snapshot: what start-up needs is never deleted. Empty when nothing was deleted.
   */
  public Optional<JournalRetentionApplied> applyRetention(Instant now) throws IOException {
    Optional<Snapshots.Snapshot> snap = Snapshots.newestValid(dir, committedSeq);
    if (snap.isEmpty()) {
      return Optional.empty();
    }
    long covered = snap.get().seq();
    long total = 0;
    for (Path s : segments) {
      total += s.equals(segments.getLast()) ? activeWritten + out.position() : Segments.sizeOf(s);
    }
    long ageLimitMillis = config.retentionAge().isZero() ? Long.MIN_VALUE
        : now.minus(config.retentionAge()).toEpochMilli();
    List<String> deleted = new ArrayList<>();
    long freed = 0;
    while (segments.size() > 1) {
      Path oldest = segments.getFirst();
      long lastInIt = JournalFormat.firstSeqOf(segments.get(1)) - 1;
      if (lastInIt > covered) {
        break;
      }
      long size = Segments.sizeOf(oldest);
      boolean tooBig = total > config.retentionBytes();
      boolean tooOld = Files.getLastModifiedTime(oldest).toMillis() < ageLimitMillis;
      if (!tooBig && !tooOld) {
        break;
      }
      Files.deleteIfExists(oldest);
      segments.removeFirst();
      deleted.add(oldest.getFileName().toString());
      freed += size;
      total -= size;
    }
    if (deleted.isEmpty()) {
      return Optional.empty();
    }
    Segments.fsyncDirectory(dir);
    return Optional.of(new JournalRetentionApplied(deleted, freed, covered));
  }

  /** Set once a write or fsync failed: the file's end is unknown until a restart repairs it. */
  public IOException failure() {
    return failure;
  }

  private void checkUsable() throws IOException {
    if (failure != null) {
      throw new IOException("journal writer stopped after a failed write (" + failure.getMessage()
          + "); restart to repair the tail", failure);
    }
  }

  long activeFirstSeq() {
    return activeFirstSeq;
  }

  @Override
  public void close() throws IOException {
    try {
      if (failure == null) {
        commit();
      }
    } finally {
      active.close();
    }
  }
}
