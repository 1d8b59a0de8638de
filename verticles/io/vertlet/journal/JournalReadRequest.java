package io.vertlet.journal;

/**
 * Asks for committed facts with {@code seq >= sinceSeq}, at most {@code limit} of them (the writer
 * caps it at {@link #MAX_LIMIT}).
 */
public record JournalReadRequest(long sinceSeq, int limit) {
  public static final int MAX_LIMIT = 10_000;
}
