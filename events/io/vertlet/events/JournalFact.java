package io.vertlet.events;

/** Facts the journal records about itself. */
public sealed interface JournalFact extends Fact {

  /**
   * A torn or corrupt tail was found at start: the segment was copied to {@code brokenCopy} and
   * truncated at {@code offset}, cutting {@code bytesCut} bytes.
   */
  record JournalRepaired(String segment, long offset, long bytesCut, String brokenCopy, String reason)
      implements JournalFact {}

  /**
   * Retention deleted closed segments ({@code segments}, oldest first, {@code bytesFreed} in all),
   * every record of which was at or before the snapshot at {@code snapshotSeq}.
   */
  record JournalRetentionApplied(java.util.List<String> segments, long bytesFreed, long snapshotSeq)
      implements JournalFact {}
}
