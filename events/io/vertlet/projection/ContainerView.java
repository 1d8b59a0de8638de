package io.vertlet.projection;

import java.time.Instant;

/**
 * What the node believes about one container of a pod: the CRI state of its current instance, the
 * last termination, and the restart bookkeeping that the upstream kubelet loses on restart.
 *
 * <p>{@code attempt} is the CRI metadata attempt of the last instance created ({@code ContainerCreated}),
 * null while none was (or in a snapshot older than the field). The runtime may hold that instance's name
 * (containerd reserves it until the instance is removed), so the next instance takes a higher attempt:
 * {@link #nextAttempt()}.
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
    Boolean started,
    Integer attempt) {

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
        podHasInit ? "PodInitializing" : "ContainerCreating", null, null, null, null, 0, null, 0, null, null, null);
  }

  ContainerView created(String id, String img, int createdAttempt) {
    return new ContainerView(name, init, id, img, State.WAITING, "ContainerCreating", null, null, null,
        lastTerminated, Math.max(restartCount, createdAttempt), null, backoffMillis, ready, started,
        attempt == null ? createdAttempt : Math.max(attempt, createdAttempt));
  }

  /**
   * The CRI attempt for the next instance, as upstream (the latest instance's attempt + 1): never one an
   * instance was already created with, even one that never started (a start interrupted, or its sandbox
   * died first), whose name the runtime may still hold. A container no instance was created for yet starts
   * at its restart count (0, or what a retry after a failed image pull keeps).
   */
  public int nextAttempt() {
    return attempt == null ? restartCount : Math.max(restartCount, attempt + 1);
  }

  /** True while the current instance was created but has not run (nor ended): an interrupted start. */
  public boolean createdNotStarted() {
    return state == State.WAITING && containerId != null && startedAt == null
        && (lastTerminated == null || !containerId.equals(lastTerminated.containerId()));
  }

  /**
   * The runtime no longer has the current instance, which never ran: the container simply waits (upstream
   * keeps a container that was not running as waiting when its status disappears; only one that ran is
   * reported terminated, ContainerStatusUnknown). Its attempt is kept, so the next instance still gets a new one.
   */
  ContainerView instanceGone() {
    return new ContainerView(name, init, null, image, State.WAITING, waitingReason, waitingMessage, null, null,
        lastTerminated, restartCount, backoffUntil, backoffMillis, ready, started, attempt);
  }

  ContainerView running(String id, Instant at) {
    return new ContainerView(name, init, id, image, State.RUNNING, null, null, at, null, lastTerminated,
        restartCount, null, backoffMillis, ready, started, attempt);
  }

  ContainerView exited(Termination how) {
    return new ContainerView(name, init, how.containerId(), image, State.TERMINATED, null, null, null, how, how,
        restartCount, backoffUntil, backoffMillis, false, started, attempt);
  }

  /** A failed start: no retry is scheduled until the pod worker journals one (so backoffUntil is cleared). */
  ContainerView waiting(String reason, String message) {
    return new ContainerView(name, init, containerId, image, State.WAITING, reason, message, null, null,
        lastTerminated, restartCount, null, backoffMillis, false, started, attempt);
  }

  ContainerView backingOff(String reason, String message, Instant until, long millis, int restarts) {
    return new ContainerView(name, init, containerId, image, State.WAITING, reason, message, null, null,
        lastTerminated, Math.max(restartCount, restarts), until, millis, false, started, attempt);
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
        restartCount + 1, null, backoffMillis, false, started, attempt);
  }

  ContainerView probed(String probe, boolean success) {
    return switch (probe) {
      case "readiness" -> new ContainerView(name, init, containerId, image, state, waitingReason, waitingMessage,
          startedAt, terminated, lastTerminated, restartCount, backoffUntil, backoffMillis, success, started, attempt);
      case "startup" -> new ContainerView(name, init, containerId, image, state, waitingReason, waitingMessage,
          startedAt, terminated, lastTerminated, restartCount, backoffUntil, backoffMillis, ready, success, attempt);
      default -> this; // liveness failures show up as restarts, not as a status field
    };
  }
}
