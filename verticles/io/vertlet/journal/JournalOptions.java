package io.vertlet.journal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the journal writer verticle runs.
 *
 * @param rootDir the agent's root dir; the journal lives in {@code rootDir/journal}
 * @param fsync when appends count as durable
 * @param segmentBytes rotation size
 * @param retentionBytes retention by total size (only segments covered by the newest snapshot go)
 * @param retentionAge retention by age, {@link Duration#ZERO} for none
 * @param groupCommitDelay how long to wait for more appends before writing a batch when the writer is
 *     idle; {@link Duration#ZERO} writes at once (appends arriving during a write still share the next)
 * @param groupCommitMaxBatch most appends written and fsynced together
 * @param stuckAfter a write pending longer than this makes {@code JournalHealth.stuck()} true
 */
public record JournalOptions(Path rootDir, FsyncPolicy fsync, long segmentBytes, long retentionBytes,
    Duration retentionAge, Duration groupCommitDelay, int groupCommitMaxBatch, Duration stuckAfter) {

  public JournalOptions {
    if (rootDir == null) {
      throw new IllegalArgumentException("journal root dir must be set");
    }
    if (groupCommitMaxBatch < 1) {
      throw new IllegalArgumentException("group commit batch must be at least 1, was " + groupCommitMaxBatch);
    }
    if (groupCommitDelay == null || groupCommitDelay.isNegative()) {
      throw new IllegalArgumentException("group commit delay must be zero or positive");
    }
    if (stuckAfter == null || stuckAfter.isNegative() || stuckAfter.isZero()) {
      throw new IllegalArgumentException("journal stuck threshold must be positive");
    }
    // Validates the store's part with its own messages (fields are not assigned yet in here).
    new JournalConfig(fsync, segmentBytes, retentionBytes, retentionAge);
  }

  /** The defaults: batch fsync, 64 MiB segments, 1 GiB / 7 days retention, no added delay, 10 s stuck. */
  public static JournalOptions defaults(Path rootDir) {
    JournalConfig d = JournalConfig.DEFAULTS;
    return new JournalOptions(rootDir, d.fsync(), d.segmentBytes(), d.retentionBytes(), d.retentionAge(),
        Duration.ZERO, 4096, Duration.ofSeconds(10));
  }

  public Path journalDir() {
    return rootDir.resolve(JournalFormat.JOURNAL_DIR);
  }

  public JournalConfig storeConfig() {
    return new JournalConfig(fsync, segmentBytes, retentionBytes, retentionAge);
  }

  public JournalOptions withFsync(FsyncPolicy policy) {
    return new JournalOptions(rootDir, policy, segmentBytes, retentionBytes, retentionAge, groupCommitDelay,
        groupCommitMaxBatch, stuckAfter);
  }

  public JournalOptions withSegmentBytes(long bytes) {
    return new JournalOptions(rootDir, fsync, bytes, retentionBytes, retentionAge, groupCommitDelay,
        groupCommitMaxBatch, stuckAfter);
  }

  public JournalOptions withRetention(long bytes, Duration age) {
    return new JournalOptions(rootDir, fsync, segmentBytes, bytes, age, groupCommitDelay, groupCommitMaxBatch,
        stuckAfter);
  }

  public JournalOptions withGroupCommit(Duration delay, int maxBatch) {
    return new JournalOptions(rootDir, fsync, segmentBytes, retentionBytes, retentionAge, delay, maxBatch,
        stuckAfter);
  }

  public JournalOptions withStuckAfter(Duration threshold) {
    return new JournalOptions(rootDir, fsync, segmentBytes, retentionBytes, retentionAge, groupCommitDelay,
        groupCommitMaxBatch, threshold);
  }
}
