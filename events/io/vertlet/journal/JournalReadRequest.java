package io.vertlet.journal;

/** Request on {@code Addresses.JOURNAL_READ}: up to {@code limit} committed facts with seq > {@code sinceSeq}. */
public record JournalReadRequest(long sinceSeq, int limit) {}
