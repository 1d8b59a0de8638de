package io.vertlet.journal;

import java.time.Duration;

/**
 * How the journal store writes and keeps its files.
 *
 * @param fsync when records are forced to disk
 * @param segmentBytes a segment is closed and a new one started once it would grow past this size
 * @param retentionBytes closed segments already covered by the newest snapshot are deleted, oldest
 *     first, while the journal is larger than this
 * @param retentionAge ... or while they are older than this (last write); {@link Duration#ZERO} = no age limit
 */
public record JournalConfig(FsyncPolicy fsync, long segmentBytes, long retentionBytes, Duration retentionAge) {

  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  public static final long DEFAULT_RETENTION_BYTES = 1L << 30;
  public static final Duration DEFAULT_RETENTION_AGE = Duration.ofDays(7);

  public static final JournalConfig DEFAULTS =
      new JournalConfig(FsyncPolicy.BATCH, DEFAULT_SEGMENT_BYTES, DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_AGE);

  public JournalConfig {
    if (fsync == null) {
      throw new IllegalArgumentException("journal fsync policy must be set");
    }
    if (segmentBytes < JournalFormat.SEGMENT_HEADER_BYTES + 1024) {
      throw new IllegalArgumentException("journal segment size " + segmentBytes + " is below the 1 KiB minimum");
    }
    if (retentionBytes <= 0) {
      throw new IllegalArgumentException("journal retention size must be positive, was " + retentionBytes);
    }
    if (retentionAge == null || retentionAge.isNegative()) {
      throw new IllegalArgumentException("journal retention age must be zero (off) or positive");
    }
  }

  public JournalConfig withFsync(FsyncPolicy policy) {
    return new JournalConfig(policy, segmentBytes, retentionBytes, retentionAge);
  }

  public JournalConfig withSegmentBytes(long bytes) {
    return new JournalConfig(fsync, bytes, retentionBytes, retentionAge);
  }

  public JournalConfig withRetention(long bytes, Duration age) {
    return new JournalConfig(fsync, segmentBytes, bytes, age);
  }
}
