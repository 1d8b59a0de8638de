package io.vertlet.projection;

import java.time.Instant;

/**
 * What the node believes about one container of a pod: the CRI state of its current instance, the
 * last termination, and the restart bookkeeping that the upstream kubelet loses on restart.
 */
public record ContainerView(
    String name,
    boolean init,
    String containerId,
    String image,
    State state,
    String waitingReason,
    String waitingMessage,
    Instant startedAt,
    Termination terminated,
    Termination lastTerminated,
    int restartCount,
    Instant backoffUntil,
    long backoffMillis,
    Boolean ready,
    Boolean started) {

  /** The three container states of the Kubernetes API. */
  public enum State { WAITING, RUNNING, TERMINATED }

  /** How an instance of the container ended. */
  public record Termination(String containerId, int exitCode, String reason, Instant startedAt, Instant finishedAt) {}

  /**
   * A container the pod spec names and nothing has happened to yet. As upstream, every container of
   * a pod with init containers waits as PodInitializing, otherwise as ContainerCreating.
   */
  public static ContainerView declared(String name, boolean init, String image, boolean podHasInit) {
    return new ContainerView(name, init, null, image, State.WAITING,
        podHasInit ? "PodInitializing" : "ContainerCreating", null, null, null, null, 0, null, 0, null, null);
  }

  ContainerView created(String id, String img, int attempt) {
    return new ContainerView(name, init, id, img, State.WAITING, "ContainerCreating", null, null, null,
        lastTerminated, Math.max(restartCount, attempt), null, backoffMillis, ready, started);
  }

  ContainerView running(String id, Instant at) {
    return new ContainerView(name, init, id, image, State.RUNNING, null, null, at, null, lastTerminated,
        restartCount, null, backoffMillis, ready, started);
  }

  ContainerView exited(Termination how) {
    return new ContainerView(name, init, how.containerId(), image, State.TERMINATED, null, null, null, how, how,
        restartCount, backoffUntil, backoffMillis, false, started);
  }

  /** A failed start: no retry is scheduled until the pod worker journals one (so backoffUntil is cleared). */
  ContainerView waiting(String reason, String message) {
    return new ContainerView(name, init, containerId, image, State.WAITING, reason, message, null, null,
        lastTerminated, restartCount, null, backoffMillis, false, started);
  }

  ContainerView backingOff(String reason, String message, Instant until, long millis, int restarts) {
    return new ContainerView(name, init, containerId, image, State.WAITING, reason, message, null, null,
        lastTerminated, Math.max(restartCount, restarts), until, millis, false, started);
  }

  /**
   * An init container that is to run again in a new sandbox (upstream purges them when it re-creates a
   * sandbox): waiting as PodInitializing, counted as a restart so the new instance gets a new attempt.
   */
  ContainerView rerun() {
    if (state == State.WAITING && containerId == null) {
      return this;
    }
    Termination last = terminated != null ? terminated : lastTerminated;
    return new ContainerView(name, init, null, image, State.WAITING, "PodInitializing", null, null, null, last,
        restartCount + 1, null, backoffMillis, false, started);
  }

  ContainerView probed(String probe, boolean success) {
    return switch (probe) {
      case "readiness" -> new ContainerView(name, init, containerId, image, state, waitingReason, waitingMessage,
          startedAt, terminated, lastTerminated, restartCount, backoffUntil, backoffMillis, success, started);
      case "startup" -> new ContainerView(name, init, containerId, image, state, waitingReason, waitingMessage,
          startedAt, terminated, lastTerminated, restartCount, backoffUntil, backoffMillis, ready, success);
      default -> this; // liveness failures show up as restarts, not as a status field
    };
  }
}
