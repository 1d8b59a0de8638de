package io.vertlet.pods;

import io.vertlet.events.PodFact.SandboxLost;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.ContainerView.State;
import io.vertlet.projection.PodView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a pod worker must do next for one pod, decided from the journal's view of the pod alone (like
 * upstream's computePodActions, but from the journal rather than a runtime status call). Pure: the
 * same view and instant always give the same actions, so every rule is unit-tested without a runtime.
 *
 * <p>The worker carries the actions out, journals each decision and outcome, and plans again on the
 * view those facts produced, until nothing is left to do; then it sleeps until {@link #wakeAt()} or
 * the next fact about the pod.
 *
 * @param createSandbox run the pod sandbox first
 * @param schedule restarts to journal ({@code RestartScheduled}); the start follows when it is due
 * @param start containers to start now, in order (at most one init container)
 * @param kill running containers to stop (terminating or failed pods)
 * @param cleanUp remove every container and the sandbox, then journal {@code PodCleanedUp}
 * @param wakeAt when to plan again although nothing happened (a backoff ends), or null
 * @param loseSandbox the current sandbox is dead: journal {@code SandboxLost}, kill every container (in
 *     {@code kill}) and stop the sandbox; null otherwise
 */
public record PodActions(boolean createSandbox, List<ScheduleRestart> schedule, List<StartContainer> start,
    List<Kill> kill, boolean cleanUp, Instant wakeAt, LoseSandbox loseSandbox) {

  /**
   * Give up the dead sandbox {@code sandboxId} (PLEG saw it {@code sandboxState}: NOTREADY, or NOT_FOUND when
   * it is gone from the runtime); {@code recreate}: a new sandbox follows, as upstream's computePodActions
   * decides (not for restartPolicy Never once containers ran, nor when OnFailure leaves nothing to start).
   */
  public record LoseSandbox(String sandboxId, String sandboxState, boolean recreate) {

    /** The runtime no longer has the sandbox: nothing is left to stop. */
    public boolean gone() {
      return SandboxLost.NOT_FOUND.equals(sandboxState);
    }

    /** What SandboxLost says (upstream's message for a sandbox killed and re-created). */
    public String message(String restartPolicy) {
      if (gone()) {
        return recreate ? SANDBOX_GONE_MESSAGE
            : "Pod sandbox was removed from the runtime; not re-created (restartPolicy " + restartPolicy + ")";
      }
      return recreate ? SANDBOX_CHANGED_MESSAGE
          : "Pod sandbox changed, its containers will be killed; not re-created (restartPolicy " + restartPolicy + ")";
    }
  }

  /** Upstream's event reason and message for a sandbox that is killed and re-created. */
  public static final String SANDBOX_CHANGED = "SandboxChanged";
  public static final String SANDBOX_CHANGED_MESSAGE = "Pod sandbox changed, it will be killed and re-created.";
  /**
   * The message for a sandbox removed from the runtime under the pod. Upstream journals no event then (it finds
   * no sandbox and starts a new one with attempt 0, as for a new pod); the journal says what happened.
   */
  public static final String SANDBOX_GONE_MESSAGE = "Pod sandbox was removed from the runtime, it will be re-created.";

  /**
   * Start (create + start) a container instance; {@code attempt} is the CRI metadata attempt, never one an
   * earlier instance was created with ({@link ContainerView#nextAttempt()}).
   */
  public record StartContainer(String name, boolean init, int attempt) {}

  /** Journal that {@code name} restarts after {@code delayMillis} as its {@code restartCount}-th restart. */
  public record ScheduleRestart(String name, long delayMillis, int restartCount, String reason) {}

  /** Stop the instance {@code containerId} of {@code name}, for {@code reason}. */
  public record Kill(String name, String containerId, String reason) {}

  public static final PodActions NONE = new PodActions(false, List.of(), List.of(), List.of(), false, null, null);

  /** Waiting reasons of a container nothing failed for yet: it is simply to be started. */
  private static final Set<String> NOT_YET_STARTED = Set.of("ContainerCreating", "PodInitializing");

  public boolean isEmpty() {
    return !createSandbox && schedule.isEmpty() && start.isEmpty() && kill.isEmpty() && !cleanUp && loseSandbox == null;
  }

  /** The actions for {@code pod} at {@code now}. */
  public static PodActions plan(PodView pod, Instant now, RestartBackoff backoff) {
    if (pod.terminating() || pod.failedReason() != null) {
      return planStop(pod);
    }
    String policy = restartPolicy(pod);
    if (pod.sandboxDead()) {
      return planSandboxLost(pod, policy);
    }
    Builder b = new Builder();
    b.createSandbox = pod.sandboxId() == null;

    // Init containers one at a time, in order; the app containers only once all of them succeeded.
    for (ContainerView c : pod.containers().values()) {
      if (!c.init()) {
        continue;
      }
      if (c.state() == State.TERMINATED && c.terminated().exitCode() == 0) {
        continue;
      }
      if (c.state() == State.RUNNING) {
        return b.build();
      }
      if (c.state() == State.TERMINATED) {
        if ("Never".equals(policy)) {
          return b.build(); // the pod has failed (PodStatusRenderer says so); nothing else runs
        }
        scheduleCrashRestart(b, c, backoff);
        return b.build();
      }
      waiting(b, c, now, backoff);
      return b.build();
    }
    for (ContainerView c : pod.containers().values()) {
      if (c.init()) {
        continue;
      }
      switch (c.state()) {
        case RUNNING -> { }
        case TERMINATED -> {
          if (shouldRestart(policy, c.terminated().exitCode())) {
            scheduleCrashRestart(b, c, backoff);
          }
        }
        case WAITING -> waiting(b, c, now, backoff);
      }
    }
    return b.build();
  }

  /** Always restarts every exit, OnFailure only failures, Never nothing. */
  public static boolean shouldRestart(String restartPolicy, int exitCode) {
    return switch (restartPolicy) {
      case "Never" -> false;
      case "OnFailure" -> exitCode != 0;
      default -> true;
    };
  }

  static String restartPolicy(PodView pod) {
    var spec = pod.spec().getSpec();
    return spec == null || spec.getRestartPolicy() == null ? "Always" : spec.getRestartPolicy();
  }

  /**
   * The sandbox died under the pod (upstream's podSandboxChanged): every container is killed and the sandbox
   * given up; a new one is made (in the next round, as for any pod without a sandbox) unless restartPolicy
   * Never and a container already ran, or OnFailure and every app container already succeeded.
   */
  private static PodActions planSandboxLost(PodView pod, String policy) {
    boolean ran = pod.containers().values().stream()
        .anyMatch(c -> c.containerId() != null || c.terminated() != null || c.lastTerminated() != null);
    boolean toStart = pod.containers().values().stream().filter(c -> !c.init())
        .anyMatch(c -> !("OnFailure".equals(policy) && c.state() == State.TERMINATED && c.terminated().exitCode() == 0));
    boolean recreate = !("Never".equals(policy) && ran) && toStart;
    String what = SandboxLost.NOT_FOUND.equals(pod.sandboxState()) ? "pod sandbox removed from the runtime"
        : "pod sandbox changed";
    String reason = recreate ? what + ", it will be killed and re-created"
        : what + "; not re-created (restartPolicy " + policy + ")";
    List<Kill> kills = new ArrayList<>();
    for (ContainerView c : pod.containers().values()) {
      if (c.containerId() != null && isLive(c)) {
        kills.add(new Kill(c.name(), c.containerId(), reason));
      }
    }
    return new PodActions(false, List.of(), List.of(), List.copyOf(kills), false, null,
        new LoseSandbox(pod.sandboxId(), pod.sandboxState(), recreate));
  }

  /** A removed or failed pod: stop what runs; a removed one is then cleaned up entirely. */
  private static PodActions planStop(PodView pod) {
    String reason = pod.terminating() ? "pod removed from its source"
        : "pod failed (" + pod.failedReason() + ")";
    List<Kill> kills = new ArrayList<>();
    for (ContainerView c : pod.containers().values()) {
      if (c.containerId() != null && isLive(c)) {
        kills.add(new Kill(c.name(), c.containerId(), reason));
      }
    }
    boolean cleanUp = pod.terminating() && kills.isEmpty();
    return new PodActions(false, List.of(), List.of(), List.copyOf(kills), cleanUp, null, null);
  }

  /** Running, or created and not started (an interrupted start): an instance a stop must end. */
  static boolean isLive(ContainerView c) {
    return c.state() == State.RUNNING
        || (c.state() == State.WAITING && c.containerId() != null && c.backoffUntil() == null
            && "ContainerCreating".equals(c.waitingReason()));
  }

  private static void scheduleCrashRestart(Builder b, ContainerView c, RestartBackoff backoff) {
    long delay = backoff.crashDelayMillis(c);
    String reason = delay > 0 ? "CrashLoopBackOff"
        : c.terminated().reason() == null ? "Error" : c.terminated().reason();
    b.schedule.add(new ScheduleRestart(c.name(), delay, c.restartCount() + 1, reason));
  }

  private static void waiting(Builder b, ContainerView c, Instant now, RestartBackoff backoff) {
    if (c.backoffUntil() != null) {
      if (!now.isBefore(c.backoffUntil())) {
        b.start.add(new StartContainer(c.name(), c.init(), c.nextAttempt()));
      } else {
        b.wake(c.backoffUntil());
      }
      return;
    }
    if (NOT_YET_STARTED.contains(c.waitingReason())) {
      b.start.add(new StartContainer(c.name(), c.init(), c.nextAttempt()));
      return;
    }
    // It failed to start (ErrImagePull, CreateContainerError, …) and no retry is scheduled yet.
    String reason = "ErrImagePull".equals(c.waitingReason()) ? "ImagePullBackOff" : c.waitingReason();
    b.schedule.add(new ScheduleRestart(c.name(), backoff.retryDelayMillis(c), c.restartCount(), reason));
  }

  private static final class Builder {
    boolean createSandbox;
    final List<ScheduleRestart> schedule = new ArrayList<>();
    final List<StartContainer> start = new ArrayList<>();
    Instant wakeAt;

    void wake(Instant at) {
      if (wakeAt == null || at.isBefore(wakeAt)) {
        wakeAt = at;
      }
    }

    PodActions build() {
      // A sandbox only for a pod that has something to run (now or after a backoff): not for one whose
      // containers all finished for good (restartPolicy Never, OnFailure after success) and lost its sandbox.
      boolean sandbox = createSandbox && (!schedule.isEmpty() || !start.isEmpty() || wakeAt != null);
      return new PodActions(sandbox, List.copyOf(schedule), List.copyOf(start), List.of(), false, wakeAt, null);
    }
  }
}
