package io.vertlet.journal;

import io.vertlet.events.Committed;
import java.util.List;

/**
 * Committed facts in sequence order, and the {@code sinceSeq} to ask for next (one past the last
 * record returned; the request's own {@code sinceSeq} when nothing newer is durable yet).
 */
public record JournalPage(List<Committed> records, long nextSeq) {}
