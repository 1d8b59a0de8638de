package io.vertlet.events;

import java.time.Instant;

/** A fact as the journal made it durable: its sequence number and the instant it was appended. */
public record Committed(long seq, Instant at, Fact fact) {}
