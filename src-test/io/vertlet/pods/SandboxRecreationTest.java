package io.vertlet.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.vertlet.cri.v1.PodSandboxFilter;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.events.Committed;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.ContainerKillRequested;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodFact.SandboxLost;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.Describe;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.PodView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pod whose sandbox dies is killed and re-created in a new sandbox, as upstream's computePodActions does:
 * on containerd the sandbox's pause process is killed; on the embedded runtime (which has no pause process,
 * docs/runtime.md) the sandbox is stopped through CRI from outside the agent, as {@code crictl stopp} would.
 * A sandbox removed from the runtime ({@code crictl rmp -f}) is lost the same way (NOT_FOUND), and a container
 * created but never started when its sandbox died comes back under a new attempt.
 */
class SandboxRecreationTest {

  static final Duration LONG = Duration.ofSeconds(60);
  static final String TERM_POLITE = "trap 'exit 0' TERM; while :; do sleep 0.1; done";

  @TempDir
  Path tmp;

  /** A pod of one container that reached Running on its first sandbox, and the IDs of both. */
  private record RunningPod(PodRef ref, String sandboxId, String containerId) {}

  private static RunningPod runningPod(PodsHarness h, String name, String restartPolicy, Path shared) {
    PodRef ref = h.add(PodWorkersRuntimeTest.pod(name, restartPolicy, 2, shared, TERM_POLITE));
    PodView view = h.awaitState("pod Running", LONG, st -> running(st, ref)).pod(ref.uid());
    return new RunningPod(ref, view.sandboxId(), view.containers().get("app").containerId());
  }

  static List<String> runtimes() {
    return PodsHarness.runtimes();
  }

  /** Makes the sandbox die as it would on that runtime; the agent is not told. */
  static void killSandbox(PodsHarness h, String runtime, String sandboxId) {
    if (runtime.equals("containerd")) {
      String info = PodsHarness.await(h.cri().podSandboxStatus(sandboxId, true)).getInfoMap().getOrDefault("info", "");
      Matcher m = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)").matcher(info);
      assertTrue(m.find(), "containerd's verbose sandbox status names the pause process: " + info);
      long pid = Long.parseLong(m.group(1));
      ProcessHandle pause = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no pause process " + pid));
      assertTrue(pause.destroyForcibly(), "SIGKILL to the pause process " + pid);
    } else {
      PodsHarness.await(h.cri().stopPodSandbox(sandboxId));
    }
  }

  static boolean running(NodeState s, PodRef ref) {
    PodView p = s.pod(ref.uid());
    return p != null && p.sandboxId() != null && "Running".equals(PodStatusRenderer.phase(p))
        && p.containers().get("app").state() == ContainerView.State.RUNNING;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aPodWhoseSandboxDiesGetsANewSandboxAndItsContainersStartAgain(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      RunningPod first = runningPod(h, "sandbox-dies", "Always", shared);
      PodRef ref = first.ref();
      String oldSandbox = first.sandboxId();
      String oldContainer = first.containerId();

      killSandbox(h, runtime, oldSandbox);

      Committed lost = h.awaitFact(SandboxLost.class, l -> l.pod().equals(ref), LONG);
      SandboxLost l = (SandboxLost) lost.fact();
      assertEquals(oldSandbox, l.sandboxId());
      assertEquals("NOTREADY", l.sandboxState());
      assertTrue(l.recreate());
      assertEquals("SandboxChanged", l.reason());
      assertEquals("Pod sandbox changed, it will be killed and re-created.", l.message());
      assertTrue(Describe.line(lost).contains("SandboxChanged"), "journal cat/replay say why: " + Describe.line(lost));

      NodeState after = h.awaitState("pod Running in a new sandbox", LONG,
          st -> running(st, ref) && !oldSandbox.equals(st.pod(ref.uid()).sandboxId()));
      PodView view = after.pod(ref.uid());
      String newContainer = view.containers().get("app").containerId();
      assertNotEquals(oldContainer, newContainer, "the container was started again");
      List<SandboxCreated> sandboxes = h.facts(SandboxCreated.class, ref);
      assertEquals(2, sandboxes.size(), sandboxes.toString());
      assertEquals(view.sandboxId(), sandboxes.get(1).sandboxId());
      assertEquals(1, sandboxes.get(1).attempt(), "the new sandbox is the next attempt");

      // The timeline explains it: the sandbox lost, the old container killed for that reason, then the new ones.
      List<Committed> timeline = h.committedFor(ref);
      long lostSeq = lost.seq();
      ContainerKillRequested kill = h.facts(ContainerKillRequested.class, ref).stream()
          .filter(k -> k.containerId().equals(oldContainer)).findFirst().orElse(null);
      if (runtime.equals("containerd")) {
        // the pause process died alone: the container still ran, and the worker stopped it
        assertNotNull(kill, "the old container is killed");
        assertTrue(kill.reason().contains("sandbox changed"), kill.reason());
      }
      assertNotNull(PodsHarness.exitOf(h.facts(ContainerExited.class, ref), oldContainer), "its exit is journaled");
      assertTrue(timeline.stream().anyMatch(c -> c.seq() > lostSeq && c.fact() instanceof SandboxCreated),
          "the new sandbox comes after the SandboxLost decision");

      // What /pods shows (the same renderer): running again, counted as a restart, the old instance's end kept.
      PodStatus status = PodStatusRenderer.status(view, "127.0.0.1");
      ContainerStatus app = status.getContainerStatuses().get(0);
      assertEquals("Running", status.getPhase());
      assertEquals(newContainer, app.getContainerID());
      assertNotNull(app.getState().getRunning());
      assertTrue(app.getRestartCount() >= 1, "restartCount " + app.getRestartCount());
      assertNotNull(app.getLastState().getTerminated(), "lastState keeps how the old instance ended");
      assertEquals(oldContainer, app.getLastState().getTerminated().getContainerID());

      // In the runtime: the new sandbox is ready; the dead one is kept (stopped) until the pod is cleaned up.
      var inRuntime = PodsHarness.await(h.cri().listPodSandbox(PodSandboxFilter.newBuilder()
          .putLabelSelector(CriRequests.POD_UID, ref.uid()).build()));
      assertTrue(inRuntime.stream().anyMatch(s -> s.getId().equals(view.sandboxId())
          && s.getState() == PodSandboxState.SANDBOX_READY), inRuntime.toString());
      assertTrue(inRuntime.stream().noneMatch(s -> s.getId().equals(oldSandbox)
          && s.getState() == PodSandboxState.SANDBOX_READY), inRuntime.toString());

      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      assertEquals(0, h.runtimeSandboxes(ref.uid()), "both sandboxes removed with the pod");
      assertTrue(h.runtimeContainers(ref.uid()).isEmpty(), "containers removed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aNeverPodWhoseContainersRanIsNotRecreated(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      RunningPod first = runningPod(h, "sandbox-dies-never", "Never", shared);
      PodRef ref = first.ref();
      String oldSandbox = first.sandboxId();

      killSandbox(h, runtime, oldSandbox);

      SandboxLost l = (SandboxLost) h.awaitFact(SandboxLost.class, x -> x.pod().equals(ref), LONG).fact();
      assertFalse(l.recreate(), "restartPolicy Never: a pod whose containers ran is not re-created");
      assertTrue(l.message().contains("Never"), l.message());
      NodeState s = h.awaitState("pod finished", LONG, st -> {
        String phase = PodStatusRenderer.phase(st.pod(ref.uid()));
        return "Succeeded".equals(phase) || "Failed".equals(phase);
      });
      PodsHarness.sleep(1_500); // time enough for a wrong re-creation to show
      assertEquals(1, h.facts(SandboxCreated.class, ref).size(), "no new sandbox");
      assertEquals(0, s.pod(ref.uid()).containers().get("app").restartCount());
      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      assertEquals(0, h.runtimeSandboxes(ref.uid()));
    }
  }

  // ------------------------------------------------------------------ a sandbox removed from the runtime

  /**
   * Removes the sandbox as {@code crictl rmp -f} does (StopPodSandbox, RemovePodSandbox: its containers go with
   * it), while PLEG is held: its next relist no longer lists the sandbox nor its containers at all.
   */
  static void removeSandboxBetweenRelists(PodsHarness h, String sandboxId) {
    h.holdPleg();
    try {
      PodsHarness.await(h.cri().stopPodSandbox(sandboxId));
      PodsHarness.await(h.cri().removePodSandbox(sandboxId));
    } finally {
      h.releasePleg();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aPodWhoseSandboxIsRemovedFromTheRuntimeLosesItAsNotFoundAndGetsANewOne(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o, true)) {
      RunningPod first = runningPod(h, "sandbox-removed", "Always", shared);
      PodRef ref = first.ref();
      String oldSandbox = first.sandboxId();
      String oldContainer = first.containerId();

      removeSandboxBetweenRelists(h, oldSandbox);

      Committed lost = h.awaitFact(SandboxLost.class, l -> l.pod().equals(ref), LONG);
      SandboxLost l = (SandboxLost) lost.fact();
      assertEquals(oldSandbox, l.sandboxId());
      assertEquals(SandboxLost.NOT_FOUND, l.sandboxState(), "the journal says the sandbox is gone, not stopped");
      assertTrue(l.recreate());
      assertEquals("SandboxChanged", l.reason());
      assertEquals(PodActions.SANDBOX_GONE_MESSAGE, l.message());
      assertTrue(Describe.line(lost).contains("NOT_FOUND"), Describe.line(lost));
      assertTrue(h.facts(RuntimeFact.SandboxChanged.class, ref).stream()
          .noneMatch(c -> c.sandboxId().equals(oldSandbox) && c.state().equals("NOTREADY")),
          "PLEG never saw it stopped: it was gone at the next relist");

      NodeState after = h.awaitState("pod Running in a new sandbox", LONG,
          st -> running(st, ref) && !oldSandbox.equals(st.pod(ref.uid()).sandboxId()));
      PodView view = after.pod(ref.uid());
      List<SandboxCreated> sandboxes = h.facts(SandboxCreated.class, ref);
      assertEquals(2, sandboxes.size(), sandboxes.toString());
      assertEquals(1, sandboxes.get(1).attempt(), "the new sandbox is the next attempt");
      assertTrue(h.committedFor(ref).stream().anyMatch(c -> c.seq() > lost.seq() && c.fact() instanceof SandboxCreated),
          "the new sandbox comes after the SandboxLost decision");

      // The old instance went with its sandbox: it ended unseen, which is what the journal and /pods say.
      ContainerExited exit = PodsHarness.exitOf(h.facts(ContainerExited.class, ref), oldContainer);
      assertNotNull(exit, "its end is journaled");
      assertEquals(137, exit.exitCode());
      assertEquals("ContainerStatusUnknown", exit.reason());
      ContainerStatus app = PodStatusRenderer.status(view, "127.0.0.1").getContainerStatuses().get(0);
      assertNotNull(app.getState().getRunning());
      assertNotEquals(oldContainer, app.getContainerID());
      assertEquals(1, app.getRestartCount());
      assertEquals(oldContainer, app.getLastState().getTerminated().getContainerID());
      assertEquals(137, app.getLastState().getTerminated().getExitCode());
      assertEquals("ContainerStatusUnknown", app.getLastState().getTerminated().getReason());

      var inRuntime = PodsHarness.await(h.cri().listPodSandbox(PodSandboxFilter.newBuilder()
          .putLabelSelector(CriRequests.POD_UID, ref.uid()).build()));
      assertEquals(List.of(view.sandboxId()), inRuntime.stream().map(s -> s.getId()).toList());

      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      assertEquals(0, h.runtimeSandboxes(ref.uid()));
      assertTrue(h.runtimeContainers(ref.uid()).isEmpty());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aNeverPodWhoseSandboxIsRemovedIsNotRecreated(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o, true)) {
      RunningPod first = runningPod(h, "sandbox-removed-never", "Never", shared);
      PodRef ref = first.ref();
      String oldSandbox = first.sandboxId();
      String oldContainer = first.containerId();

      removeSandboxBetweenRelists(h, oldSandbox);

      SandboxLost l = (SandboxLost) h.awaitFact(SandboxLost.class, x -> x.pod().equals(ref), LONG).fact();
      assertEquals(SandboxLost.NOT_FOUND, l.sandboxState());
      assertFalse(l.recreate(), "restartPolicy Never: a pod whose containers ran is not re-created");
      assertTrue(l.message().contains("Never"), l.message());
      NodeState s = h.awaitState("pod Failed", LONG, st -> "Failed".equals(PodStatusRenderer.phase(st.pod(ref.uid()))));
      PodsHarness.sleep(1_500); // time enough for a wrong re-creation to show
      assertEquals(1, h.facts(SandboxCreated.class, ref).size(), "no new sandbox");
      ContainerView app = s.pod(ref.uid()).containers().get("app");
      assertEquals(0, app.restartCount());
      assertEquals(oldContainer, app.terminated().containerId());
      assertEquals(137, app.terminated().exitCode());
      assertEquals("ContainerStatusUnknown", app.terminated().reason());
      assertNull(s.pod(ref.uid()).sandboxId());
      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      assertEquals(0, h.runtimeSandboxes(ref.uid()));
    }
  }

  // ------------------------------------------------------------------ a created, never started container

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aContainerCreatedButNeverStartedInADeadSandboxComesBackUnderANewAttempt(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    // It crashes until the test lets it run; the first exit restarts at once, the second waits 8 s: a window in
    // which nothing of the pod runs.
    RestartBackoff slow = new RestartBackoff(Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofMinutes(10));
    Path mayRun = shared.resolve("may-run");
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o.withBackoff(slow), true)) {
      PodRef ref = h.add(PodWorkersRuntimeTest.pod("created-only", "Always", 2, shared,
          "[ -f " + mayRun + " ] || exit 1; " + TERM_POLITE));
      h.awaitFact(RestartScheduled.class, r -> r.pod().equals(ref) && r.delayMillis() > 0, LONG);
      NodeState backingOff = h.awaitState("app backing off", LONG, st -> st.pod(ref.uid()) != null
          && st.pod(ref.uid()).containers().get("app").backoffUntil() != null);
      PodView view = backingOff.pod(ref.uid());
      String oldSandbox = view.sandboxId();
      int attempt = view.containers().get("app").restartCount();
      Files.writeString(mayRun, "");

      // What an agent stopped between CreateContainer and StartContainer leaves, then its sandbox dies: the next
      // instance created (with the attempt the worker uses) and journaled, never started.
      h.holdPleg();
      String created;
      try {
        CriRequests.PodContext ctx = new CriRequests.PodContext(ref, view.spec(), h.nodeName, "127.0.0.1", "127.0.0.1",
            h.root, h.options.podLogsDir());
        created = PodsHarness.await(h.cri().createContainer(oldSandbox,
            CriRequests.container(ctx, PodWorker.find(view.spec(), "app"), attempt), CriRequests.sandbox(ctx, 0)));
        killSandbox(h, runtime, oldSandbox);
        // Once the runtime itself knows (containerd learns of the pause process' death from an event), so the
        // worker's failing start is put down to the sandbox, as it would be a moment later in any case.
        long deadline = System.nanoTime() + LONG.toNanos();
        while (PodsHarness.await(h.cri().podSandboxStatus(oldSandbox, false)).getStatus().getState()
            == PodSandboxState.SANDBOX_READY && System.nanoTime() < deadline) {
          PodsHarness.sleep(20);
        }
        h.append(new ContainerCreated(ref, "app", created, PodsHarness.IMAGE, attempt));
      } finally {
        h.releasePleg();
      }

      SandboxLost l = (SandboxLost) h.awaitFact(SandboxLost.class, x -> x.pod().equals(ref), LONG).fact();
      assertEquals(oldSandbox, l.sandboxId());
      assertTrue(l.recreate());
      NodeState after = h.awaitState("app running in a new sandbox", LONG,
          st -> running(st, ref) && !oldSandbox.equals(st.pod(ref.uid()).sandboxId()));
      String timeline = h.committedFor(ref).stream().map(Describe::line).toList().toString();
      List<ContainerCreated> instances = h.facts(ContainerCreated.class, ref).stream()
          .filter(c -> c.container().equals("app")).toList();
      ContainerCreated next = instances.get(instances.size() - 1);
      String nextId = after.pod(ref.uid()).containers().get("app").containerId();
      assertEquals(nextId, next.containerId(), timeline);
      int before = instances.subList(0, instances.size() - 1).stream().mapToInt(ContainerCreated::attempt).max()
          .orElseThrow();
      assertTrue(before >= attempt, timeline);
      assertTrue(next.attempt() > before, "the new instance never reuses an attempt the runtime may hold: " + timeline);
      assertTrue(h.facts(ContainerFailedToStart.class, ref).isEmpty(), "created at the first try, no name clash: "
          + timeline);
      assertEquals(next.attempt(),
          PodsHarness.await(h.cri().containerStatus(nextId, false)).getStatus().getMetadata().getAttempt());
      assertEquals(next.attempt(), after.pod(ref.uid()).containers().get("app").restartCount(),
          "restartCount follows the attempt, as upstream's: " + timeline);
      // The created instance never ran: no exit is made up for it. It was removed when its sandbox was given up
      // (it was the current instance then), or, superseded by an instance the worker tried in the dying sandbox,
      // it stays with that sandbox, still only created, until the pod goes.
      assertNull(PodsHarness.exitOf(h.facts(ContainerExited.class, ref), created), timeline);
      boolean removed = h.facts(RuntimeFact.ContainerRemoved.class, ref).stream()
          .anyMatch(r -> r.containerId().equals(created));
      if (!removed) {
        assertEquals(io.vertlet.cri.v1.ContainerState.CONTAINER_CREATED,
            PodsHarness.await(h.cri().containerStatus(created, false)).getStatus().getState(), timeline);
      }

      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      assertEquals(0, h.runtimeSandboxes(ref.uid()));
      assertTrue(h.runtimeContainers(ref.uid()).isEmpty());
    }
  }
}
