package io.vertlet.journal;

public record JournalHealth(long lastSeq, int pending, java.time.Instant oldestPendingSince, java.time.Instant lastSyncAt, boolean stuck, String reason) {}
