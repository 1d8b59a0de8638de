package io.vertlet.journal;

import io.vertlet.events.Committed;
import java.util.List;

/** Reply on {@code Addresses.JOURNAL_READ}: the records found and the {@code since} to ask next. */
public record JournalPage(List<Committed> records, long nextSeq) {}
