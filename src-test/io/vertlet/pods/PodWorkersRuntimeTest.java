package io.vertlet.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.vertlet.events.Committed;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerKillRequested;
import io.vertlet.events.PodFact.PodCleanedUp;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.PodView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pod workers against a real runtime: the embedded one always, the containerd testbed when
 * configured (required under CI). Pods arrive as PodAdded facts, as the manifest source sends them.
 */
class PodWorkersRuntimeTest {

  static final Duration LONG = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  static List<String> runtimes() {
    return PodsHarness.runtimes();
  }

  /** A hostNetwork busybox pod running {@code script} under sh, with the test folder mounted at the same path. */
  static Pod pod(String name, String restartPolicy, long grace, Path shared, String script) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("default")
        .withUid(UUID.randomUUID().toString()).endMetadata()
        .withNewSpec().withHostNetwork(true).withRestartPolicy(restartPolicy)
        .withTerminationGracePeriodSeconds(grace)
        .addNewVolume().withName("shared").withNewHostPath().withPath(shared.toString()).endHostPath().endVolume()
        .addNewContainer().withName("app").withImage(PodsHarness.IMAGE).withImagePullPolicy("IfNotPresent")
        .withCommand("sh", "-c", script)
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
        .endFieldRef().endValueFrom().endEnv()
        .addNewVolumeMount().withName("shared").withMountPath(shared.toString()).endVolumeMount()
        .endContainer().endSpec().build();
  }

  static boolean running(NodeState s, PodRef ref) {
    PodView p = s.pod(ref.uid());
    return p != null && "Running".equals(PodStatusRenderer.phase(p))
        && p.containers().get("app").state() == ContainerView.State.RUNNING;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aPodRunsIsReportedAndOnRemovalItsProcessGetsSigtermThenEverythingIsRemoved(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      Path marker = shared.resolve("term");
      PodRef ref = h.add(pod("polite", "Always", 10, shared,
          "echo $POD_NAME > " + shared + "/started; trap 'echo got TERM > " + marker + "; exit 0' TERM; "
              + "while :; do sleep 0.1; done"));
      NodeState s = h.awaitState("pod Running", LONG, st -> running(st, ref));
      PodStatus status = PodStatusRenderer.status(s.pod(ref.uid()), "127.0.0.1");
      var app = status.getContainerStatuses().get(0);
      assertEquals("Running", status.getPhase());
      assertNotNull(app.getContainerID());
      assertNotNull(app.getState().getRunning().getStartedAt());
      assertEquals(0, app.getRestartCount());
      assertTrue(app.getReady());
      assertEquals("127.0.0.1", status.getPodIP(), "a hostNetwork pod has the node's IP");
      assertNotNull(status.getStartTime());
      assertEquals("True", status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
          .orElseThrow().getStatus());
      assertEquals(1, h.facts(SandboxCreated.class, ref).size());
      assertEquals(1, h.facts(ContainerCreated.class, ref).size());
      String containerId = h.facts(ContainerCreated.class, ref).get(0).containerId();
      assertEquals(containerId, app.getContainerID());
      awaitFile(shared.resolve("started"), "polite");
      assertEquals(1.0, h.registry.get("kubelet_started_pods").counter().count());
      assertEquals(1.0, h.registry.get("kubelet_running_pods").gauge().value());
      assertEquals(1.0, h.registry.get("kubelet_running_containers").tag("container_state", "running").gauge()
          .value());
      assertEquals(1L, h.registry.get("kubelet_pod_start_duration").timer().count());

      h.remove(ref);
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
      awaitFile(marker, "got TERM");
      ContainerKillRequested kill = h.facts(ContainerKillRequested.class, ref).get(0);
      assertEquals(10, kill.gracePeriodSeconds());
      assertEquals(containerId, kill.containerId());
      ContainerExited exit = PodsHarness.exitOf(h.facts(ContainerExited.class, ref), containerId);
      assertNotNull(exit, "the exit of the stopped container is journaled");
      assertEquals(0, exit.exitCode(), "the process exited on its own TERM handler");
      assertEquals(1, h.facts(PodCleanedUp.class, ref).size());
      assertTrue(h.runtimeContainers(ref.uid()).isEmpty(), "containers removed");
      assertEquals(0, h.runtimeSandboxes(ref.uid()), "sandbox removed");
      assertFalse(Files.exists(h.options.rootDir().resolve("pods").resolve(ref.uid())), "pod folder removed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aProcessIgnoringSigtermIsKilledWhenTheGracePeriodEnds(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      PodRef ref = h.add(pod("stubborn", "Always", 2, shared,
          "trap '' TERM; echo up > " + shared + "/up; while :; do sleep 0.1; done"));
      h.awaitState("pod Running", LONG, st -> running(st, ref));
      awaitFile(shared.resolve("up"), "up");
      h.remove(ref);
      Committed kill = h.awaitFact(ContainerKillRequested.class, k -> k.pod().equals(ref), LONG);
      Committed exit = h.awaitFact(ContainerExited.class, e -> e.pod().equals(ref), LONG);
      long waitedMillis = Duration.between(kill.at(), exit.at()).toMillis();
      assertTrue(waitedMillis >= 1_800, "SIGKILL only after the 2 s grace period, came after " + waitedMillis);
      assertTrue(waitedMillis < 20_000, "but it came: " + waitedMillis);
      assertEquals(137, ((ContainerExited) exit.fact()).exitCode(), "killed by SIGKILL");
      h.awaitState("pod cleaned up", LONG, st -> st.pod(ref.uid()) == null);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void aCrashingContainerRestartsWithGrowingBackoffAndShowsCrashLoopBackOff(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      PodRef ref = h.add(pod("crasher", "Always", 1, shared, "sleep 0.2; exit 3"));
      // Backoff in this harness: 1 s doubling to 8 s; the first restart is immediate.
      NodeState s = h.awaitState("fourth restart scheduled", LONG,
          st -> h.facts(RestartScheduled.class, ref).size() >= 4);
      List<RestartScheduled> scheduled = h.facts(RestartScheduled.class, ref);
      assertEquals(List.of(0L, 1_000L, 2_000L, 4_000L),
          scheduled.subList(0, 4).stream().map(RestartScheduled::delayMillis).toList());
      assertEquals(List.of(1, 2, 3, 4), scheduled.subList(0, 4).stream().map(RestartScheduled::restartCount).toList());
      assertEquals("CrashLoopBackOff", scheduled.get(3).reason());

      // Each new instance started no earlier than its backoff allowed after the previous exit.
      List<Committed> timeline = h.committedFor(ref);
      List<Committed> restarts = timeline.stream().filter(c -> c.fact() instanceof RestartScheduled).toList();
      List<Committed> creations = timeline.stream().filter(c -> c.fact() instanceof ContainerCreated).toList();
      for (int i = 1; i < 4 && i < creations.size(); i++) {
        RestartScheduled r = (RestartScheduled) restarts.get(i - 1).fact();
        long gap = Duration.between(restarts.get(i - 1).at(), creations.get(i).at()).toMillis();
        assertTrue(gap >= r.delayMillis() - 5, "restart " + i + " came " + gap + " ms after scheduling "
            + r.delayMillis());
      }

      NodeState backingOff = h.awaitState("CrashLoopBackOff shown", LONG, st -> {
        ContainerView c = st.pod(ref.uid()).containers().get("app");
        return "CrashLoopBackOff".equals(c.waitingReason());
      });
      var app = PodStatusRenderer.status(backingOff.pod(ref.uid()), null).getContainerStatuses().get(0);
      assertEquals("CrashLoopBackOff", app.getState().getWaiting().getReason());
      assertTrue(app.getState().getWaiting().getMessage().startsWith("back-off "), app.toString());
      assertTrue(app.getRestartCount() >= 3);
      assertEquals(3, app.getLastState().getTerminated().getExitCode());
      assertEquals("Running", PodStatusRenderer.phase(backingOff.pod(ref.uid())), "Always keeps the pod Running");
      assertTrue(h.runtimeContainers(ref.uid()).size() <= 2,
          "container GC keeps at most one dead instance beside the current one");
      assertNotNull(s);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void neverAndOnFailureDecideWhatRestarts(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o)) {
      PodRef neverFails = h.add(pod("never-fails", "Never", 1, shared, "exit 2"));
      PodRef onFailureOk = h.add(pod("onfailure-ok", "OnFailure", 1, shared, "exit 0"));
      PodRef onFailureFails = h.add(pod("onfailure-fails", "OnFailure", 1, shared, "sleep 0.3; exit 1"));

      h.awaitState("Never pod Failed", LONG, st -> "Failed".equals(PodStatusRenderer.phase(st.pod(neverFails.uid()))));
      h.awaitState("OnFailure exit 0 Succeeded", LONG,
          st -> "Succeeded".equals(PodStatusRenderer.phase(st.pod(onFailureOk.uid()))));
      h.awaitFact(RestartScheduled.class, r -> r.pod().equals(onFailureFails), LONG);
      NodeState s = h.awaitState("OnFailure failure restarted", LONG,
          st -> st.pod(onFailureFails.uid()).containers().get("app").restartCount() >= 1);

      PodsHarness.sleep(1_500); // time enough for a wrong restart to show
      assertTrue(h.facts(RestartScheduled.class, neverFails).isEmpty(), "Never never restarts");
      assertTrue(h.facts(RestartScheduled.class, onFailureOk).isEmpty(), "OnFailure does not restart a success");
      assertEquals(1, h.facts(ContainerCreated.class, neverFails).size());
      var failed = PodStatusRenderer.status(h.stateNow().pod(neverFails.uid()), null).getContainerStatuses().get(0);
      assertEquals(2, failed.getState().getTerminated().getExitCode());
      assertEquals("Running", PodStatusRenderer.phase(s.pod(onFailureFails.uid())));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void podsBeyondMaxPodsAreRejectedAsOutOfpodsAndAHostPortClashIsRejected(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o.withMaxPods(2))) {
      Pod withPort = pod("port-a", "Always", 1, shared, "while :; do sleep 1; done");
      withPort.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPort(
          29091, null, null, "http", "TCP"));
      PodRef a = h.add(withPort);
      Pod clash = pod("port-b", "Always", 1, shared, "while :; do sleep 1; done");
      clash.getSpec().getContainers().get(0).getPorts().add(new io.fabric8.kubernetes.api.model.ContainerPort(
          29091, null, null, "http", "TCP"));
      PodRef b = h.add(clash);
      PodRef c = h.add(pod("second", "Always", 1, shared, "while :; do sleep 1; done"));
      PodRef d = h.add(pod("third", "Always", 1, shared, "while :; do sleep 1; done"));

      h.awaitState("two pods Running", LONG, st -> running(st, a) && running(st, c));
      PodRejected portRejection = h.facts(PodRejected.class, b).get(0);
      assertEquals("NodePorts", portRejection.reason());
      assertTrue(portRejection.message().contains("29091"), portRejection.message());
      PodRejected full = h.facts(PodRejected.class, d).get(0);
      assertEquals("OutOfpods", full.reason());
      NodeState s = h.stateNow();
      assertEquals("Failed", PodStatusRenderer.phase(s.pod(d.uid())));
      assertEquals("OutOfpods", PodStatusRenderer.status(s.pod(d.uid()), null).getReason());
      assertTrue(h.runtimeContainers(d.uid()).isEmpty(), "a rejected pod never reaches the runtime");
      assertEquals(0, h.runtimeSandboxes(b.uid()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void afterAnAgentRestartRunningContainersAreAdoptedAndBackoffsResume(String runtime) throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    var slowBackoff = new RestartBackoff(Duration.ofSeconds(6), Duration.ofSeconds(60), Duration.ofMinutes(10));
    try (PodsHarness h = new PodsHarness(runtime, tmp.resolve("root"), o -> o.withBackoff(slowBackoff))) {
      PodRef steady = h.add(pod("steady", "Always", 1, shared, "while :; do sleep 0.1; done"));
      PodRef steady2 = h.add(pod("steady2", "Always", 1, shared, "while :; do sleep 0.1; done"));
      PodRef crasher = h.add(pod("crasher", "Always", 1, shared, "sleep 0.3; exit 1"));
      h.awaitState("steady pods Running", LONG, st -> running(st, steady) && running(st, steady2));
      // The crasher's second exit gets a 6 s backoff: restart the agent in the middle of it.
      NodeState before = h.awaitState("crasher backing off", LONG, st -> {
        ContainerView c = st.pod(crasher.uid()).containers().get("app");
        return "CrashLoopBackOff".equals(c.waitingReason());
      });
      ContainerView crashBefore = before.pod(crasher.uid()).containers().get("app");
      String steadyId = before.pod(steady.uid()).containers().get("app").containerId();
      String steady2Id = before.pod(steady2.uid()).containers().get("app").containerId();

      h.restart();

      NodeState after = h.awaitState("steady pods Running after restart", LONG,
          st -> running(st, steady) && running(st, steady2));
      assertEquals(steadyId, after.pod(steady.uid()).containers().get("app").containerId(), "adopted, not recreated");
      assertEquals(steady2Id, after.pod(steady2.uid()).containers().get("app").containerId());
      ContainerView crashAfter = after.pod(crasher.uid()).containers().get("app");
      assertEquals(crashBefore.restartCount(), crashAfter.restartCount(), "restart count kept");
      assertEquals(crashBefore.backoffUntil(), crashAfter.backoffUntil(), "backoff kept");

      // The restart resumes the pending backoff: no new decision, and no start before it ends.
      Committed next = h.awaitFact(ContainerCreated.class, c -> c.pod().equals(crasher), LONG);
      assertFalse(next.at().isBefore(crashBefore.backoffUntil()), "started at " + next.at()
          + " before the backoff ended at " + crashBefore.backoffUntil());
      PodsHarness.sleep(500);
      assertTrue(h.facts(ContainerCreated.class, steady).isEmpty(), "nothing recreated for a healthy pod");
      assertTrue(h.facts(ContainerCreated.class, steady2).isEmpty());
      assertTrue(h.facts(ContainerStarted.class, steady).stream().allMatch(f -> f.containerId().equals(steadyId)));
    }
  }

  static void awaitFile(Path file, String content) throws Exception {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file) && Files.readString(file).strip().equals(content)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(file + " never said " + content + (Files.exists(file) ? "; it says "
        + Files.readString(file) : "; it does not exist"));
  }
}
