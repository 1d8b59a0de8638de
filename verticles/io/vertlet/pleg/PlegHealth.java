package io.vertlet.pleg;

/** Reply on {@code Addresses.PLEG_HEALTH}: when the last relist completed and whether that is recent enough. */
public record PlegHealth(java.time.Instant lastRelist, boolean healthy, String message) {}
