package io.vertlet.pleg;

import java.time.Duration;
import java.time.Instant;

/**
 * PLEG's answer on {@code Addresses.PLEG_HEALTH}: when a relist last completed and whether that is
 * recent enough. {@code lastRelist} is null until the first relist completes. {@code message} is
 * empty when healthy, otherwise upstream's wording, e.g.
 * {@code PLEG is not healthy: pleg was last seen active 3m0s ago; threshold is 3m0s}.
 */
public record PlegHealth(Instant lastRelist, boolean healthy, String message) {

  /** Upstream's relist threshold: a PLEG silent for longer makes the node not ready. */
  public static final Duration DEFAULT_THRESHOLD = Duration.ofMinutes(3);

  /** Health at {@code now} for a PLEG whose last completed relist was {@code lastRelist} (or null). */
  public static PlegHealth at(Instant now, Instant lastRelist, Duration threshold) {
    if (lastRelist == null) {
      return new PlegHealth(null, false, "PLEG is not healthy: pleg has yet to be successful");
    }
    Duration elapsed = Duration.between(lastRelist, now);
    if (elapsed.compareTo(threshold) > 0) {
      return new PlegHealth(lastRelist, false, "PLEG is not healthy: pleg was last seen active "
          + goDuration(elapsed) + " ago; threshold is " + goDuration(threshold));
    }
    return new PlegHealth(lastRelist, true, "");
  }

  /** A duration written as Go prints one ({@code 3m0s}, {@code 1h2m3.5s}), to the millisecond. */
  static String goDuration(Duration d) {
    long millis = d.toMillis();
    if (millis == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (millis < 0) {
      out.append('-');
      millis = -millis;
    }
    if (millis < 1000) {
      return out.append(millis).append("ms").toString();
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long seconds = millis / 1000 % 60;
    long fraction = millis % 1000;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(seconds);
    if (fraction > 0) {
      out.append('.').append(String.format("%03d", fraction).replaceAll("0+$", ""));
    }
    return out.append('s').toString();
  }
}
