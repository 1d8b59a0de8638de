package io.vertlet.journal;

/** Asks the journal writer to store a projection snapshot taken after fact {@code seq}. */
public record JournalSnapshotRequest(long seq, byte[] payload) {}
