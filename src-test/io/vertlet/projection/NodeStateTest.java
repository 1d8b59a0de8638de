package io.vertlet.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.vertlet.events.AgentFact.AgentStarted;
import io.vertlet.events.Committed;
import io.vertlet.events.ConfigFact;
import io.vertlet.events.Fact;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.PodCleanedUp;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodRef;
import io.vertlet.events.ProbeFact.ProbeResultChanged;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.SourceFact.ManifestRejected;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeStateTest {

  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final PodRef WEB = new PodRef("default", "web-node-a", "uid-web");

  static Pod pod(String restartPolicy, boolean withInit) {
    var spec = new PodBuilder().withNewMetadata().withName(WEB.name()).withNamespace(WEB.namespace())
        .withUid(WEB.uid()).endMetadata().withNewSpec().withRestartPolicy(restartPolicy)
        .addNewContainer().withName("app").withImage("localhost/busybox:1.35").endContainer();
    if (withInit) {
      spec.addNewInitContainer().withName("setup").withImage("localhost/busybox:1.35").endInitContainer();
    }
    return spec.endSpec().build();
  }

  /** Folds facts one second apart from T0, numbering them from 1. */
  static NodeState fold(List<Fact> facts) {
    NodeState s = NodeState.EMPTY;
    for (int i = 0; i < facts.size(); i++) {
      s = s.apply(new Committed(i + 1, T0.plusSeconds(i), facts.get(i)));
    }
    return s;
  }

  static List<Fact> crashLoop() {
    Instant started = T0.plusSeconds(4);
    return List.of(
        new AgentStarted("0.1.0", "node-a", "10.0.0.4", "/var/lib/vertlet", "embedded", 1, 0, List.of()),
        new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new SandboxCreated(WEB, "sb-1", "10.0.0.4", 0),
        new ContainerCreated(WEB, "app", "c-1", "localhost/busybox:1.35", 0),
        new ContainerStarted(WEB, "app", "c-1", started),
        new ContainerExited(WEB, "app", "c-1", 1, "Error", started, started.plusSeconds(2)),
        new RestartScheduled(WEB, "app", 10_000, 1, "CrashLoopBackOff"));
  }

  @Test
  void aRunningPodIsRunningAndReady() {
    NodeState s = fold(crashLoop().subList(0, 5));
    PodView web = s.pod(WEB.uid());
    assertEquals("Running", PodStatusRenderer.phase(web));
    PodStatus status = PodStatusRenderer.status(web, s.agent().nodeIp());
    assertEquals("10.0.0.4", status.getHostIP());
    assertEquals("10.0.0.4", status.getPodIP());
    assertEquals("BestEffort", status.getQosClass());
    assertEquals("2026-11-23T10:00:02Z", status.getStartTime());
    var app = status.getContainerStatuses().get(0);
    assertEquals("c-1", app.getContainerID());
    assertEquals("2026-11-23T10:00:04Z", app.getState().getRunning().getStartedAt());
    assertTrue(app.getReady());
    assertEquals("True", condition(status, "Ready"));
    assertEquals("True", condition(status, "ContainersReady"));
    assertEquals("True", condition(status, "Initialized"));
    assertEquals("True", condition(status, "PodScheduled"));
  }

  @Test
  void aCrashingContainerShowsCrashLoopBackOffWithItsLastTermination() {
    NodeState s = fold(crashLoop());
    PodView web = s.pod(WEB.uid());
    assertEquals("Running", PodStatusRenderer.phase(web), "Always: a container waiting to restart keeps the pod Running");
    var app = PodStatusRenderer.status(web, null).getContainerStatuses().get(0);
    assertEquals("CrashLoopBackOff", app.getState().getWaiting().getReason());
    assertEquals("back-off 10s restarting failed container=app pod=web-node-a_default(uid-web)",
        app.getState().getWaiting().getMessage());
    assertEquals(1, app.getRestartCount());
    assertEquals(1, app.getLastState().getTerminated().getExitCode());
    assertEquals("Error", app.getLastState().getTerminated().getReason());
    assertFalse(app.getReady());
    assertEquals(T0.plusSeconds(6).plusMillis(10_000), web.containers().get("app").backoffUntil());
    assertEquals("False", condition(PodStatusRenderer.status(web, null), "Ready"));
  }

  @Test
  void restartPolicyDecidesThePhaseOfAnExitedPod() {
    for (var c : List.of(new Object[] {"Never", 1, "Failed"}, new Object[] {"Never", 0, "Succeeded"},
        new Object[] {"OnFailure", 0, "Succeeded"}, new Object[] {"OnFailure", 3, "Running"},
        new Object[] {"Always", 0, "Running"})) {
      Instant started = T0.plusSeconds(3);
      NodeState s = fold(List.of(
          new PodAdded(WEB, "file", "/m/web.yaml", pod((String) c[0], false)),
          new SandboxCreated(WEB, "sb-1", "10.0.0.4", 0),
          new ContainerCreated(WEB, "app", "c-1", "img", 0),
          new ContainerStarted(WEB, "app", "c-1", started),
          new ContainerExited(WEB, "app", "c-1", (Integer) c[1], (Integer) c[1] == 0 ? "Completed" : "Error",
              started, started.plusSeconds(1))));
      assertEquals(c[2], PodStatusRenderer.phase(s.pod(WEB.uid())), c[0] + " exit " + c[1]);
    }
  }

  @Test
  void initContainersKeepThePodPendingUntilTheySucceed() {
    List<Fact> facts = new ArrayList<>(List.of(
        new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", true)),
        new SandboxCreated(WEB, "sb-1", "10.0.0.4", 0),
        new ContainerCreated(WEB, "setup", "i-1", "img", 0),
        new ContainerStarted(WEB, "setup", "i-1", T0)));
    NodeState s = fold(facts);
    PodStatus status = PodStatusRenderer.status(s.pod(WEB.uid()), null);
    assertEquals("Pending", status.getPhase());
    assertEquals("False", condition(status, "Initialized"));
    assertEquals("PodInitializing", status.getContainerStatuses().get(0).getState().getWaiting().getReason());

    facts.add(new ContainerExited(WEB, "setup", "i-1", 0, "Completed", T0, T0.plusSeconds(1)));
    facts.add(new ContainerCreated(WEB, "app", "c-1", "img", 0));
    facts.add(new ContainerStarted(WEB, "app", "c-1", T0.plusSeconds(2)));
    status = PodStatusRenderer.status(fold(facts).pod(WEB.uid()), null);
    assertEquals("Running", status.getPhase());
    assertEquals("True", condition(status, "Initialized"));
    assertEquals("Completed", status.getInitContainerStatuses().get(0).getState().getTerminated().getReason());
  }

  @Test
  void readinessProbeFailureMakesThePodNotReady() {
    List<Fact> facts = new ArrayList<>(crashLoop().subList(0, 5));
    facts.add(new ProbeResultChanged(WEB, "app", "readiness", "failure", "HTTP 503"));
    PodStatus status = PodStatusRenderer.status(fold(facts).pod(WEB.uid()), null);
    assertEquals("Running", status.getPhase());
    assertEquals("False", condition(status, "Ready"));
  }

  @Test
  void rejectedPodsFailWithTheReason() {
    NodeState s = fold(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new PodRejected(WEB, "OutOfpods", "Node didn't have enough resource: pods")));
    PodStatus status = PodStatusRenderer.status(s.pod(WEB.uid()), null);
    assertEquals("Failed", status.getPhase());
    assertEquals("OutOfpods", status.getReason());
  }

  @Test
  void aPodThatNeverRanIsGoneWhenRemovedAndOneThatRanWaitsForCleanUp() {
    NodeState never = fold(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new PodRemoved(WEB, "file", "manifest removed")));
    assertNull(never.pod(WEB.uid()));

    List<Fact> facts = new ArrayList<>(crashLoop().subList(0, 5));
    facts.add(new PodRemoved(WEB, "file", "manifest removed"));
    NodeState ran = fold(facts);
    assertTrue(ran.pod(WEB.uid()).terminating());
    facts.add(new PodCleanedUp(WEB));
    assertNull(fold(facts).pod(WEB.uid()));
  }

  @Test
  void qosClassFollowsRequestsAndLimits() {
    Pod guaranteed = pod("Always", false);
    guaranteed.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("64Mi"))).build());
    assertEquals("Guaranteed", PodStatusRenderer.qosClass(guaranteed));
    Pod burstable = pod("Always", false);
    burstable.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .withRequests(Map.of("memory", new Quantity("32Mi"))).build());
    assertEquals("Burstable", PodStatusRenderer.qosClass(burstable));
    assertEquals("BestEffort", PodStatusRenderer.qosClass(pod("Always", false)));
  }

  @Test
  void aFactAlreadyFoldedChangesNothing() {
    NodeState s = fold(crashLoop());
    assertSame(s, s.apply(new Committed(3, T0, new PodRemoved(WEB, "file", "again"))));
  }

  @Test
  void rejectedManifestsAreRememberedBoundedNewestLast() {
    List<Fact> facts = new ArrayList<>();
    for (int i = 0; i < NodeState.REJECTED_MANIFESTS_KEPT + 10; i++) {
      facts.add(new ManifestRejected("file", "/m/bad-" + i + ".yaml", "no containers"));
    }
    NodeState s = fold(facts);
    assertEquals(NodeState.REJECTED_MANIFESTS_KEPT, s.rejectedManifests().size());
    assertFalse(s.rejectedManifests().containsKey("/m/bad-0.yaml"));
    assertTrue(s.rejectedManifests().containsKey("/m/bad-" + (NodeState.REJECTED_MANIFESTS_KEPT + 9) + ".yaml"));
  }

  @Test
  void snapshotPlusTailEqualsFoldingEverythingAtEveryCutPoint() {
    List<Fact> facts = new ArrayList<>(crashLoop());
    facts.add(new ConfigFact.ConfigApplied("/etc/k.yaml", List.of("maxPods"), Map.of("maxPods", 110,
        "evictionHard", Map.of("memory.available", "100Mi"))));
    facts.add(new ContainerCreated(WEB, "app", "c-2", "img", 1));
    facts.add(new ContainerStarted(WEB, "app", "c-2", T0.plusSeconds(30)));
    NodeState all = fold(facts);
    for (int cut = 0; cut <= facts.size(); cut++) {
      NodeState prefix = fold(facts.subList(0, cut));
      NodeState restored = ProjectionSnapshot.decode(ProjectionSnapshot.encode(prefix));
      assertEquals(prefix, restored, "snapshot round trip at " + cut);
      for (int i = cut; i < facts.size(); i++) {
        restored = restored.apply(new Committed(i + 1, T0.plusSeconds(i), facts.get(i)));
      }
      assertEquals(all, restored, "snapshot at " + cut + " + tail");
    }
  }

  @Test
  void describeHasALineForEveryFactAndTheReportNamesWhatMatters() {
    NodeState s = fold(crashLoop());
    String report = StateReport.text(s);
    assertTrue(report.contains("default/web-node-a [Running]"), report);
    assertTrue(report.contains("app: WAITING (CrashLoopBackOff), restarts 1, last exit 1 Error"), report);
    assertEquals("pod default/web-node-a container app c-1 exited with code 1 (Error)",
        Describe.fact(crashLoop().get(5)));
    io.vertlet.events.FactCodecTest.samples().forEach(f -> assertFalse(Describe.fact(f).isBlank(), f.type()));
  }

  static String condition(PodStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow()
        .getStatus();
  }
}
