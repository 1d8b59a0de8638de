package io.vertlet.runtime;

/** An image the embedded runtime was asked to pull: only its name is kept ({@code images/<hex>.json}). */
record ImageRecord(String id, String ref, long pulledAt) {}
