package io.vertlet.journal;

import java.time.Instant;

/**
 * The writer's progress, for healthz: stuck when a write has been pending longer than the threshold
 * or the writer stopped after a failed write.
 *
 * @param lastSeq last durable sequence number
 * @param pending appends received and not yet durable (queued or being written)
 * @param oldestPendingSince when the oldest of those arrived, null when none
 * @param lastFsyncAt when the last batch became durable, null before the first
 * @param reason why it is stuck, null when it is not
 */
public record JournalHealth(long lastSeq, int pending, Instant oldestPendingSince, Instant lastFsyncAt,
    boolean stuck, String reason) {}
