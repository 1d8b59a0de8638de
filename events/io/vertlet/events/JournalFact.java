package io.vertlet.events;

/** Facts the journal records about itself. */
public sealed interface JournalFact extends Fact {

  /**
   * A torn or corrupt tail was found at start: the segment was copied to {@code brokenCopy} and
   * truncated at {@code offset}, cutting {@code bytesCut} bytes.
   */
  record JournalRepaired(String segment, long offset, long bytesCut, String brokenCopy, String reason)
      implements JournalFact {}
}
