package io.vertlet.pods;

import io.vertlet.projection.ContainerView;
import io.vertlet.projection.ContainerView.Termination;
import java.time.Duration;

/**
 * How long a container waits before it is started again, computed only from what the journal keeps
 * about it ({@link ContainerView#restartCount()}, {@link ContainerView#backoffMillis()}, its last
 * termination), so an agent restart resumes the backoff exactly where it stood.
 *
 * <p>Crash loops, as upstream: the first restart at once, then {@code initial} (10 s) doubling up to
 * {@code max} (300 s); a container that ran at least {@code stableReset} (10 minutes) before it
 * exited starts over with an immediate restart. Failures to start at all (image pull, create, run
 * errors) back off from {@code initial} doubling to {@code max} as well.
 */
public record RestartBackoff(Duration initial, Duration max, Duration stableReset) {

  /** The kubelet's figures: 10 s doubling to 5 minutes, reset after 10 minutes of stable running. */
  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));

  public RestartBackoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
    }
  }

  /** The delay before restarting a container that has just exited ({@code c} is TERMINATED). */
  public long crashDelayMillis(ContainerView c) {
    if (c.restartCount() == 0) {
      return 0;
    }
    Termination t = c.terminated() != null ? c.terminated() : c.lastTerminated();
    if (t != null && t.startedAt() != null && t.finishedAt() != null
        && Duration.between(t.startedAt(), t.finishedAt()).compareTo(stableReset) >= 0) {
      return 0;
    }
    return doubled(c.backoffMillis());
  }

  /** The delay before retrying a container that could not be started (image pull, create, run failure). */
  public long retryDelayMillis(ContainerView c) {
    return doubled(c.backoffMillis());
  }

  private long doubled(long previousMillis) {
    if (previousMillis <= 0) {
      return initial.toMillis();
    }
    return Math.min(previousMillis * 2, max.toMillis());
  }
}
