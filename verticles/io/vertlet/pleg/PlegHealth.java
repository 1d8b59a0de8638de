package io.vertlet.pleg;

import io.vertlet.events.GoDuration;
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

  /**
   * Health at {@code now} for a PLEG started at {@code startedAt} whose last completed relist was
   * {@code lastRelist} (null before the first). A PLEG gets the threshold from its own start for a
   * first relist: just after the agent starts it is not unhealthy, only not yet proven.
   */
  public static PlegHealth at(Instant now, Instant startedAt, Instant lastRelist, Duration threshold) {
    if (lastRelist == null) {
      boolean withinGrace = startedAt != null && Duration.between(startedAt, now).compareTo(threshold) <= 0;
      return withinGrace ? new PlegHealth(null, true, "")
          : new PlegHealth(null, false, "PLEG is not healthy: pleg has yet to be successful");
    }
    Duration elapsed = Duration.between(lastRelist, now);
    if (elapsed.compareTo(threshold) > 0) {
      return new PlegHealth(lastRelist, false, "PLEG is not healthy: pleg was last seen active "
          + GoDuration.format(elapsed.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)) + " ago; threshold is " + GoDuration.format(threshold));
    }
    return new PlegHealth(lastRelist, true, "");
  }
}
