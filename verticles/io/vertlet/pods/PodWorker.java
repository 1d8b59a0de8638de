package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.cri.CriException;
import io.vertlet.cri.v1.ContainerConfig;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.ContainerStatus;
import io.vertlet.cri.v1.PodSandboxConfig;
import io.vertlet.events.Committed;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.ContainerKillRequested;
import io.vertlet.events.PodFact.PodCleanedUp;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodFact.SandboxCreationFailed;
import io.vertlet.events.PodFact.SandboxLost;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerRemoved;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.RuntimeFact.SandboxChanged;
import io.vertlet.pods.CriRequests.PodContext;
import io.vertlet.pods.PodActions.Kill;
import io.vertlet.pods.PodActions.ScheduleRestart;
import io.vertlet.pods.PodActions.StartContainer;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.PodView;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one serialized worker of one pod. A sync plans {@link PodActions} from the journal's view of
 * the pod, carries them out through the runtime, journals every decision and outcome, waits until
 * its facts are folded into the view, and plans again until nothing is left; a poke during a sync
 * marks it to run once more afterwards (never two syncs of a pod at once). Everything runs on the
 * pod manager's event loop and never blocks: runtime calls are futures, waiting is a timer.
 */
final class PodWorker {

  private static final Logger log = LoggerFactory.getLogger(PodWorker.class);

  /** Rounds of plan → act in one sync before it yields (a safety net against a plan that never settles). */
  private static final int MAX_ROUNDS = 20;

  /** A failed start with the kubelet's waiting reason. */
  private static final class StartFailure extends RuntimeException {
    final String reason;

    StartFailure(String reason, Throwable cause) {
      super(cause.getMessage(), cause, false, false);
      this.reason = reason;
    }
  }

  private final PodManagerVerticle host;
  final String uid;
  private PodRef ref;
  private boolean syncing;
  private boolean again;
  private boolean disposed;
  private String nextOperation = "create";
  private long timerId = -1;
  private int failures;
  /** This worker created something in the runtime that the journal may not know about yet. */
  private boolean touchedRuntime;
  private int sandboxAttempt;
  private String sandboxId;
  private String podIp;
  private PodSandboxConfig sandboxConfig;
  private Pod sandboxConfigFor;
  private List<Future<Committed>> pending = new ArrayList<>();
  /** The highest sequence number this worker's appends got; a round ends once the view has folded it. */
  private long lastSeq;

  PodWorker(PodManagerVerticle host, String uid) {
    this.host = host;
    this.uid = uid;
  }

  /** Something about the pod changed (or a timer fired): sync now, or once more after the current sync. */
  void poke(String operation) {
    if (disposed) {
      return;
    }
    if ("update".equals(operation) && !"create".equals(nextOperation)) {
      nextOperation = "update";
    }
    if (syncing) {
      again = true;
      return;
    }
    runSync();
  }

  boolean terminating() {
    PodView v = host.state().pod(uid);
    return v != null && v.terminating();
  }

  /** The agent stops: no more syncs, no timers (what is in flight finishes its current call). */
  void halt() {
    disposed = true;
    cancelTimer();
  }

  void dispose() {
    disposed = true;
    cancelTimer();
    host.workerGone(uid);
  }

  private void runSync() {
    cancelTimer();
    syncing = true;
    again = false;
    String operation = nextOperation;
    nextOperation = "sync";
    long start = System.nanoTime();
    round(0).onComplete(ar -> {
      syncing = false;
      host.metrics().workerDuration(operation, start);
      if (disposed) {
        return;
      }
      if (ar.failed()) {
        failures++;
        long delay = Math.min(30_000, 500L << Math.min(failures, 6));
        log.warn("pod {}: sync failed, retrying in {} ms: {}", ref == null ? uid : ref.key(), delay,
            ar.cause().getMessage());
        arm(delay);
      } else {
        failures = 0;
        Instant wake = ar.result();
        if (wake != null) {
          arm(Math.max(1, Duration.between(Instant.now(), wake).toMillis() + 1));
        }
      }
      if (again) {
        runSync();
      }
    });
  }

  private void arm(long delayMillis) {
    cancelTimer();
    timerId = host.vertx().setTimer(delayMillis, id -> {
      timerId = -1;
      poke("sync");
    });
  }

  private void cancelTimer() {
    if (timerId >= 0) {
      host.vertx().cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** One plan → act round; the result is when to wake up again (null: only on the next fact). */
  private Future<Instant> round(int n) {
    if (host.stopped()) {
      return Future.succeededFuture(null);
    }
    PodView view = host.state().pod(uid);
    if (view == null) {
      return podGone().map(v -> null);
    }
    ref = view.ref();
    if (view.sandboxId() != null) {
      sandboxId = view.sandboxId();
      podIp = view.podIp();
    }
    PodActions actions = PodActions.plan(view, Instant.now(), host.options().backoff());
    if (actions.isEmpty()) {
      return Future.succeededFuture(actions.wakeAt());
    }
    if (n >= MAX_ROUNDS) {
      log.warn("pod {}: still acting after {} rounds ({}); yielding for a second", ref.key(), n, actions);
      return Future.succeededFuture(Instant.now().plusSeconds(1));
    }
    pending = new ArrayList<>();
    return act(view, actions)
        .compose(v -> Future.all(new ArrayList<>(pending)))
        .compose(all -> host.awaitSeq(lastSeq))
        .compose(v -> round(n + 1));
  }

  private Future<Void> act(PodView view, PodActions a) {
    for (ScheduleRestart s : a.schedule()) {
      if (s.delayMillis() > 0) {
        log.info("pod {}: container {} restarts in {} ms ({}, restart {})", ref.key(), s.name(), s.delayMillis(),
            s.reason(), s.restartCount());
      }
      pending.add(append(new RestartScheduled(ref, s.name(), s.delayMillis(), s.restartCount(), s.reason())));
    }
    Future<Void> f = a.loseSandbox() != null ? loseSandbox(a.loseSandbox()) : Future.succeededFuture();
    if (a.createSandbox()) {
      f = f.compose(v -> createSandbox(view));
    }
    for (StartContainer s : a.start()) {
      f = f.compose(v -> start(view, s));
    }
    if (!a.kill().isEmpty()) {
      f = f.compose(v -> Future.all(a.kill().stream().map(k -> kill(view, k)).toList()).mapEmpty());
    }
    if (a.loseSandbox() != null && !a.loseSandbox().gone()) {
      // After its containers: the dead sandbox is stopped (network and mounts released) and kept until the pod
      // is cleaned up, as upstream keeps it, with the last instances' logs. One the runtime lost has nothing to stop.
      String dead = a.loseSandbox().sandboxId();
      f = f.compose(v -> host.runtime().stopSandbox(dead).recover(err -> {
        log.warn("pod {}: stopping its dead sandbox {} failed: {}", ref.key(), dead, err.getMessage());
        return Future.succeededFuture();
      }));
    }
    if (a.cleanUp()) {
      f = f.compose(v -> cleanUp(view.ref(), contextOf(view).logDirectory()));
    }
    return f;
  }

  // ---------------------------------------------------------------------------- sandbox

  /** Journals why the sandbox is given up (the fold then forgets it), before anything is killed. */
  private Future<Void> loseSandbox(PodActions.LoseSandbox lose) {
    String message = lose.message(PodActions.restartPolicy(host.state().pod(uid)));
    log.info("pod {}: sandbox {} is {}: {}", ref.key(), lose.sandboxId(), lose.sandboxState(), message);
    sandboxId = null;
    sandboxConfig = null;
    return append(new SandboxLost(ref, lose.sandboxId(), lose.sandboxState(), lose.recreate(),
        PodActions.SANDBOX_CHANGED, message)).mapEmpty();
  }

  private Future<Void> createSandbox(PodView view) {
    PodContext ctx = contextOf(view);
    // The attempt follows the pod's last sandbox (from the journal, so also after an agent restart): a dead
    // sandbox stays in the runtime, and its (name, attempt) must not be reused.
    int attempt = view.sandboxAttempt() == null ? sandboxAttempt : Math.max(sandboxAttempt, view.sandboxAttempt() + 1);
    PodSandboxConfig config = CriRequests.sandbox(ctx, attempt);
    touchedRuntime = true;
    return host.runtime().runSandbox(ctx, config)
        .compose(id -> host.runtime().sandboxIp(ctx, id).recover(err -> {
          log.warn("pod {}: sandbox {} has no IP yet: {}", ref.key(), id, err.getMessage());
          return Future.succeededFuture(null);
        }).map(ip -> {
          sandboxId = id;
          podIp = ip;
          sandboxConfig = config;
          sandboxConfigFor = view.spec();
          sandboxAttempt = attempt + 1;
          host.metrics().podStarted();
          pending.add(append(new SandboxCreated(ref, id, ip, attempt)));
          return (Void) null;
        }))
        .recover(err -> {
          host.metrics().podStartFailed();
          long retry = Math.min(30_000, 1000L << Math.min(failures, 5));
          pending.add(append(new SandboxCreationFailed(ref, err.getMessage(), retry)));
          return Future.failedFuture(err);
        });
  }

  private PodSandboxConfig sandboxConfig(PodContext ctx) {
    if (sandboxConfig == null || sandboxConfigFor != ctx.pod()) {
      sandboxConfig = CriRequests.sandbox(ctx, Math.max(0, sandboxAttempt - 1));
      sandboxConfigFor = ctx.pod();
    }
    return sandboxConfig;
  }

  private PodContext contextOf(PodView view) {
    return new PodContext(view.ref(), view.spec(), host.options().nodeName(), host.nodeIp(), podIp,
        host.options().rootDir(), host.options().podLogsDir());
  }

  // ---------------------------------------------------------------------------- start

  private Future<Void> start(PodView view, StartContainer s) {
    Container spec = find(view.spec(), s.name());
    if (spec == null || sandboxId == null) {
      return Future.succeededFuture();
    }
    PodContext ctx = contextOf(view);
    PodSandboxConfig sbc = sandboxConfig(ctx);
    ContainerConfig config = CriRequests.container(ctx, spec, s.attempt());
    String previousId = view.containers().get(s.name()).containerId();
    touchedRuntime = true;
    return host.runtime().ensureImage(spec, sbc)
        .compose(v -> host.runtime().createContainer(sandboxId, config, sbc)
            .recover(err -> Future.failedFuture(new StartFailure("CreateContainerError", err))))
        .compose(id -> {
          pending.add(append(new ContainerCreated(ref, s.name(), id, spec.getImage(), s.attempt())));
          return host.runtime().startContainer(id).map(id)
              .recover(err -> Future.failedFuture(new StartFailure("RunContainerError", err)));
        })
        .compose(id -> {
          // Journaled by the worker at once so /pods shows it running without waiting for a relist;
          // PLEG's later report of the same instance folds to nothing.
          pending.add(append(new ContainerStarted(ref, s.name(), id, Instant.now())));
          host.metrics().containerStarted(s.init());
          return s.attempt() > 0 ? collectGarbage(s.name(), id, previousId) : Future.<Void>succeededFuture();
        })
        .recover(err -> {
          String reason = err instanceof PodRuntime.ImageFailure f ? f.reason
              : err instanceof StartFailure f ? f.reason : "RunContainerError";
          if (!(err instanceof StartFailure)) {
            return failedToStart(spec, s, reason, err);
          }
          // Creating or starting in a sandbox that just died fails: that is the sandbox's news, not the
          // container's (PLEG reports a stopped sandbox's container exits before the sandbox itself). Said
          // at once, the next plan replaces the sandbox instead of backing the container off.
          String sandbox = sandboxId;
          return host.runtime().sandboxState(sandbox).compose(state -> {
            if ("READY".equals(state)) {
              return failedToStart(spec, s, reason, err);
            }
            log.info("pod {}: container {} could not start because sandbox {} is {}", ref.key(), s.name(), sandbox,
                state);
            pending.add(append(new SandboxChanged(ref, sandbox, state)));
            return Future.<Void>succeededFuture();
          }, statusErr -> failedToStart(spec, s, reason, err));
        });
  }

  private Future<Void> failedToStart(Container spec, StartContainer s, String reason, Throwable err) {
    if ("CreateContainerError".equals(reason)) {
      host.runtime().forgetImage(spec.getImage());
    }
    host.metrics().containerStartFailed(s.init(), reason);
    log.warn("pod {}: container {} failed to start ({}): {}", ref.key(), s.name(), reason, err.getMessage());
    pending.add(append(new ContainerFailedToStart(ref, s.name(), reason, err.getMessage())));
    return Future.succeededFuture();
  }

  /** Keeps at most one dead instance of the container (the one that just exited) and removes older ones. */
  private Future<Void> collectGarbage(String name, String newId, String previousId) {
    Set<String> inUse = new HashSet<>();
    inUse.add(newId);
    if (previousId != null) {
      inUse.add(previousId);
    }
    return host.runtime().podContainers(uid).compose(list -> {
      List<io.vertlet.cri.v1.Container> same = list.stream()
          .filter(c -> name.equals(c.getLabelsMap().get(CriRequests.CONTAINER_NAME))).toList();
      List<Future<Void>> removals = new ArrayList<>();
      for (String id : ContainerGc.toRemove(same, inUse)) {
        removals.add(host.runtime().removeContainer(id)
            .compose(v -> append(new ContainerRemoved(ref, name, id)).<Void>mapEmpty()));
      }
      return Future.all(removals).<Void>mapEmpty();
    }).recover(err -> {
      log.warn("pod {}: container GC of {} failed: {}", ref.key(), name, err.getMessage());
      return Future.succeededFuture();
    });
  }

  // ---------------------------------------------------------------------------- stop

  /**
   * Stops one container: the decision is journaled first, then the preStop hook runs, then
   * StopContainer with what is left of the grace period (at least 2 s after a hook, as upstream),
   * and the exit the runtime reports is journaled.
   */
  private Future<Void> kill(PodView view, Kill k) {
    long grace = CriRequests.gracePeriodSeconds(view.spec());
    ContainerView cv = view.containers().get(k.name());
    Container spec = find(view.spec(), k.name());
    LifecycleHandler hook = cv.state() == ContainerView.State.RUNNING ? PreStopHook.of(spec) : null;
    log.info("pod {}: stopping container {} ({}s grace): {}", ref.key(), k.name(), grace, k.reason());
    long start = System.nanoTime();
    return append(new ContainerKillRequested(ref, k.name(), k.containerId(), grace, k.reason()))
        .compose(c -> hook == null ? Future.<Void>succeededFuture()
            : host.preStop().run(hook, spec, k.containerId(), podIp != null ? podIp : host.nodeIp(), grace)
                .recover(err -> {
                  log.warn("pod {}: container {} preStop hook failed: {}", ref.key(), k.name(), err.getMessage());
                  return Future.succeededFuture();
                }))
        .compose(v -> {
          long left = grace;
          if (hook != null) {
            long spent = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            left = Math.max(2, grace - spent);
          }
          // A container that is already gone (its sandbox was removed under it) is simply stopped.
          return host.runtime().stopContainer(k.containerId(), left)
              .recover(err -> isNotFound(err) ? Future.succeededFuture() : Future.failedFuture(err));
        })
        .compose(v -> host.runtime().containerStatus(k.containerId()))
        .compose(st -> switch (st.getState()) {
              case CONTAINER_EXITED -> append(exited(k.name(), st)).<Void>mapEmpty();
              // Created and never started (its start was interrupted): no process to stop and no exit to report,
              // and a stop leaves it CREATED on containerd. Removed, it is truthfully ended and its name (which
              // containerd reserves) is free.
              case CONTAINER_CREATED -> host.runtime().removeContainer(k.containerId())
                  .compose(v -> append(new ContainerRemoved(ref, k.name(), k.containerId()))).<Void>mapEmpty();
              default -> Future.<Void>succeededFuture();
            },
            err -> isNotFound(err) ? append(lost(k, cv)).<Void>mapEmpty() : Future.failedFuture(err));
  }

  /**
   * What became of an instance the runtime no longer has (its sandbox was removed under it): one that ran ended
   * unseen, 137 / ContainerStatusUnknown as upstream reports it; one that never started (created only) is just
   * gone, and its container waits (upstream too keeps a container that was not running as waiting).
   */
  private io.vertlet.events.Fact lost(Kill k, ContainerView cv) {
    if (cv.state() == ContainerView.State.RUNNING) {
      return new ContainerExited(ref, k.name(), k.containerId(), 137, "ContainerStatusUnknown", cv.startedAt(),
          Instant.now());
    }
    return new ContainerRemoved(ref, k.name(), k.containerId());
  }

  ContainerExited exited(String name, ContainerStatus st) {
    return exitedFact(ref, name, st);
  }

  static ContainerExited exitedFact(PodRef ref, String name, ContainerStatus st) {
    String reason = st.getReason().isEmpty() ? (st.getExitCode() == 0 ? "Completed" : "Error") : st.getReason();
    return new ContainerExited(ref, name, st.getId(), st.getExitCode(), reason, instant(st.getStartedAt()),
        instant(st.getFinishedAt()));
  }

  static Instant instant(long nanos) {
    return nanos <= 0 ? null : Instant.ofEpochSecond(0, nanos);
  }

  static boolean isNotFound(Throwable err) {
    return err instanceof CriException c && c.status() == io.vertx.grpc.common.GrpcStatus.NOT_FOUND;
  }

  /**
   * Removes every container and sandbox of the pod from the runtime, its volumes and logs, and
   * journals PodCleanedUp (after which the view forgets the pod).
   */
  Future<Void> cleanUp(PodRef pod, java.nio.file.Path logDirectory) {
    PodRuntime rt = host.runtime();
    return rt.podContainers(pod.uid())
        .compose(list -> Future.all(list.stream().map(c -> {
          String name = c.getLabelsMap().getOrDefault(CriRequests.CONTAINER_NAME, c.getMetadata().getName());
          Future<Void> stopped = c.getState() == ContainerState.CONTAINER_RUNNING
              ? rt.stopContainer(c.getId(), 0) : Future.succeededFuture();
          return stopped.compose(v -> rt.removeContainer(c.getId()))
              .compose(v -> append(new ContainerRemoved(pod, name, c.getId())));
        }).toList()))
        .compose(v -> rt.podSandboxes(pod.uid()))
        .compose(sandboxes -> Future.all(sandboxes.stream().map(sb -> rt.stopAndRemoveSandbox(sb.getId())
            .compose(v -> append(new SandboxChanged(pod, sb.getId(), "REMOVED")))).toList()))
        .compose(v -> rt.deletePodDirs(pod.uid(), logDirectory))
        .compose(v -> append(new PodCleanedUp(pod)))
        .map(c -> {
          touchedRuntime = false;
          log.info("pod {}: cleaned up", pod.key());
          return null;
        });
  }

  /** The pod left the view; whatever this worker made for it that the journal never saw goes too. */
  private Future<Void> podGone() {
    if (!touchedRuntime || ref == null) {
      dispose();
      return Future.succeededFuture();
    }
    PodContext ctx = new PodContext(ref, null, host.options().nodeName(), null, null, host.options().rootDir(),
        host.options().podLogsDir());
    return cleanUp(ref, ctx.logDirectory()).onComplete(ar -> {
      if (ar.succeeded()) {
        dispose();
      }
    });
  }

  /** Journals a fact and remembers its sequence number, so the next plan sees it folded. */
  private Future<Committed> append(io.vertlet.events.Fact fact) {
    return host.append(fact).andThen(ar -> {
      if (ar.succeeded()) {
        lastSeq = Math.max(lastSeq, ar.result().seq());
      }
    });
  }

  static Container find(Pod pod, String name) {
    if (pod.getSpec() == null) {
      return null;
    }
    for (Container c : pod.getSpec().getInitContainers()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getName().equals(name)) {
        return c;
      }
    }
    return null;
  }
}
