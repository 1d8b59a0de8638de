package io.vertlet.runtime;

import java.time.Instant;

/** Wall-clock time in nanoseconds since the epoch, as CRI timestamps are. */
final class EmbeddedClock {

  private EmbeddedClock() {}

  static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** Parses the supervisor's {@code $EPOCHREALTIME} ("seconds.micros") into nanoseconds. */
  static long fromEpochRealtime(String s) {
    int dot = s.indexOf('.');
    if (dot < 0) {
      return Long.parseLong(s.trim()) * 1_000_000_000L;
    }
    long secs = Long.parseLong(s.substring(0, dot));
    String frac = (s.substring(dot + 1).trim() + "000000000").substring(0, 9);
    return secs * 1_000_000_000L + Long.parseLong(frac);
  }
}
