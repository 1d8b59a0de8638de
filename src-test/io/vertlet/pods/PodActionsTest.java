package io.vertlet.pods;

import static io.vertlet.pods.PodFixtures.T0;
import static io.vertlet.pods.PodFixtures.WEB;
import static io.vertlet.pods.PodFixtures.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.Fact;
import io.vertlet.events.NodeFact.PodEvicted;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.pods.PodActions.Kill;
import io.vertlet.pods.PodActions.ScheduleRestart;
import io.vertlet.pods.PodActions.StartContainer;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.PodView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodActionsTest {

  static final RestartBackoff BACKOFF = RestartBackoff.DEFAULT;
  static final Instant LATER = T0.plusSeconds(3600);

  static PodActions plan(List<Fact> facts) {
    return PodActions.plan(PodFixtures.web(facts), LATER, BACKOFF);
  }

  static List<Fact> running(String policy, boolean init) {
    List<Fact> f = new ArrayList<>(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod(policy, init)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0)));
    if (init) {
      f.addAll(ranTo("init1", "i1", 0));
      f.addAll(ranTo("init2", "i2", 0));
    }
    f.add(new ContainerCreated(WEB, "app", "c1", "img", 0));
    f.add(new ContainerStarted(WEB, "app", "c1", T0));
    return f;
  }

  static List<Fact> ranTo(String name, String id, int exitCode) {
    return List.of(new ContainerCreated(WEB, name, id, "img", 0), new ContainerStarted(WEB, name, id, T0),
        new ContainerExited(WEB, name, id, exitCode, exitCode == 0 ? "Completed" : "Error", T0, T0.plusSeconds(1)));
  }

  static List<Fact> plus(List<Fact> base, Fact... more) {
    List<Fact> f = new ArrayList<>(base);
    f.addAll(List.of(more));
    return f;
  }

  @Test
  void aNewPodGetsItsSandboxAndItsContainers() {
    PodActions a = plan(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false))));
    assertTrue(a.createSandbox());
    assertEquals(List.of(new StartContainer("app", false, 0)), a.start());
    assertTrue(a.kill().isEmpty());
    assertFalse(a.cleanUp());
  }

  @Test
  void aRunningPodNeedsNothing() {
    PodActions a = plan(running("Always", false));
    assertTrue(a.isEmpty(), a.toString());
    assertNull(a.wakeAt());
  }

  @Test
  void initContainersRunOneAtATimeInOrderBeforeTheApp() {
    List<Fact> base = List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", true)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0));
    assertEquals(List.of(new StartContainer("init1", true, 0)), plan(base).start());

    List<Fact> init1Running = plus(base, new ContainerCreated(WEB, "init1", "i1", "img", 0),
        new ContainerStarted(WEB, "init1", "i1", T0));
    assertTrue(plan(init1Running).isEmpty(), "nothing else starts while an init container runs");

    List<Fact> init1Done = new ArrayList<>(base);
    init1Done.addAll(ranTo("init1", "i1", 0));
    assertEquals(List.of(new StartContainer("init2", true, 0)), plan(init1Done).start());

    List<Fact> allDone = new ArrayList<>(init1Done);
    allDone.addAll(ranTo("init2", "i2", 0));
    assertEquals(List.of(new StartContainer("app", false, 0)), plan(allDone).start());
  }

  @Test
  void aFailedInitContainerRestartsUnlessThePolicyIsNever() {
    for (String policy : List.of("Always", "OnFailure")) {
      List<Fact> f = new ArrayList<>(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod(policy, true)),
          new SandboxCreated(WEB, "sb", "10.0.0.4", 0)));
      f.addAll(ranTo("init1", "i1", 2));
      PodActions a = plan(f);
      assertEquals(List.of(new ScheduleRestart("init1", 0, 1, "Error")), a.schedule(), policy);
      assertTrue(a.start().isEmpty(), "the app waits for its init containers");
    }
    List<Fact> never = new ArrayList<>(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Never", true)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0)));
    never.addAll(ranTo("init1", "i1", 2));
    assertTrue(plan(never).isEmpty());
    assertEquals("Failed", PodStatusRenderer.phase(PodFixtures.web(never)));
  }

  @Test
  void restartPolicyDecidesWhetherAnExitedContainerRestarts() {
    record Case(String policy, int exit, boolean restarts) {}
    for (Case c : List.of(new Case("Always", 0, true), new Case("Always", 1, true), new Case("OnFailure", 0, false),
        new Case("OnFailure", 1, true), new Case("Never", 0, false), new Case("Never", 1, false))) {
      List<Fact> f = plus(running(c.policy(), false),
          new ContainerExited(WEB, "app", "c1", c.exit(), c.exit() == 0 ? "Completed" : "Error", T0, T0));
      PodActions a = plan(f);
      assertEquals(c.restarts(), !a.schedule().isEmpty(), c.toString());
      assertTrue(a.start().isEmpty(), "a restart is journaled before it happens: " + c);
    }
  }

  @Test
  void aScheduledRestartWaitsForItsBackoffThenStartsTheNextAttempt() {
    Instant exitAt = T0.plusSeconds(100);
    List<Fact> f = plus(running("Always", false),
        new ContainerExited(WEB, "app", "c1", 1, "Error", T0, exitAt),
        new RestartScheduled(WEB, "app", 10_000, 1, "CrashLoopBackOff"));
    List<Instant> at = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      at.add(i < f.size() - 1 ? T0 : exitAt);
    }
    PodView view = PodFixtures.fold(f, at).pod(WEB.uid());
    PodActions waiting = PodActions.plan(view, exitAt.plusSeconds(5), BACKOFF);
    assertTrue(waiting.isEmpty());
    assertEquals(exitAt.plusSeconds(10), waiting.wakeAt());
    PodActions due = PodActions.plan(view, exitAt.plusSeconds(10), BACKOFF);
    assertEquals(List.of(new StartContainer("app", false, 1)), due.start());
  }

  @Test
  void aFailedImagePullBacksOffAsImagePullBackOff() {
    List<Fact> f = List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0),
        new ContainerFailedToStart(WEB, "app", "ErrImagePull", "no such image"));
    PodActions a = plan(f);
    assertEquals(List.of(new ScheduleRestart("app", 10_000, 0, "ImagePullBackOff")), a.schedule());
    assertTrue(a.start().isEmpty());

    List<Fact> scheduled = plus(f, new RestartScheduled(WEB, "app", 10_000, 0, "ImagePullBackOff"));
    PodView v = PodFixtures.web(scheduled);
    assertEquals("ImagePullBackOff", v.containers().get("app").waitingReason());
    assertTrue(PodActions.plan(v, v.containers().get("app").backoffUntil().minusMillis(1), BACKOFF).isEmpty());

    List<Fact> againFailed = plus(scheduled, new ContainerFailedToStart(WEB, "app", "ErrImagePull", "still not"));
    assertEquals(List.of(new ScheduleRestart("app", 20_000, 0, "ImagePullBackOff")), plan(againFailed).schedule());
  }

  @Test
  void aRemovedPodIsStoppedThenCleanedUp() {
    List<Fact> removed = plus(running("Always", false), new PodRemoved(WEB, "file", "manifest removed"));
    PodActions a = plan(removed);
    assertEquals(List.of(new Kill("app", "c1", "pod removed from its source")), a.kill());
    assertFalse(a.cleanUp(), "clean-up waits for the stop");
    assertTrue(a.start().isEmpty());

    List<Fact> stopped = plus(removed, new ContainerExited(WEB, "app", "c1", 143, "Error", T0, T0));
    PodActions b = plan(stopped);
    assertTrue(b.kill().isEmpty());
    assertTrue(b.cleanUp());
  }

  @Test
  void aRemovedPodInCrashLoopBackOffIsCleanedUpWithoutAKill() {
    List<Fact> f = plus(running("Always", false), new ContainerExited(WEB, "app", "c1", 1, "Error", T0, T0),
        new RestartScheduled(WEB, "app", 10_000, 1, "CrashLoopBackOff"), new PodRemoved(WEB, "file", "gone"));
    PodActions a = plan(f);
    assertTrue(a.kill().isEmpty());
    assertTrue(a.cleanUp());
  }

  @Test
  void aRejectedPodGetsNothingAndAnEvictedOneIsStoppedButKept() {
    PodActions rejected = plan(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new PodRejected(WEB, "OutOfpods", "full")));
    assertTrue(rejected.isEmpty());

    PodActions evicted = plan(plus(running("Always", false),
        new PodEvicted(WEB, "memory.available", "90Mi", "100Mi", "low memory")));
    assertEquals(1, evicted.kill().size());
    assertFalse(evicted.cleanUp());
  }

  // ------------------------------------------------------------------ a sandbox that dies (upstream's SandboxChanged)

  static final Fact SANDBOX_DIED = new io.vertlet.events.RuntimeFact.SandboxChanged(WEB, "sb", "NOTREADY");

  @Test
  void aDeadSandboxKillsTheContainersAndIsGivenUpThenANewOneRunsThem() {
    PodActions a = plan(plus(running("Always", false), SANDBOX_DIED));
    assertEquals(new PodActions.LoseSandbox("sb", "NOTREADY", true), a.loseSandbox());
    assertEquals(List.of("c1"), a.kill().stream().map(Kill::containerId).toList());
    assertFalse(a.createSandbox(), "the new sandbox comes once the old one is given up");
    assertTrue(a.start().isEmpty());
    assertEquals("False", readyToStart(plus(running("Always", false), SANDBOX_DIED)));
    assertEquals("True", readyToStart(running("Always", false)));

    List<Fact> lost = plus(running("Always", false), SANDBOX_DIED,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOTREADY", true, "SandboxChanged", "m"),
        new ContainerExited(WEB, "app", "c1", 137, "Error", T0, T0.plusSeconds(1)));
    PodActions b = plan(lost);
    assertNull(b.loseSandbox());
    assertTrue(b.createSandbox());
    assertEquals(List.of(new ScheduleRestart("app", 0, 1, "Error")), b.schedule(), "restarted, and counted");
  }

  static String readyToStart(List<Fact> facts) {
    return PodStatusRenderer.status(PodFixtures.web(facts), "10.0.0.4").getConditions().stream()
        .filter(c -> c.getType().equals("PodReadyToStartContainers")).findFirst().orElseThrow().getStatus();
  }

  @Test
  void aSandboxReportedDeadOnceIsGivenUpOnce() {
    List<Fact> lost = plus(running("Always", false), SANDBOX_DIED,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOTREADY", true, "SandboxChanged", "m"));
    assertNull(plan(lost).loseSandbox(), "the fold forgot the dead sandbox");
    // A late report about the old sandbox changes nothing either.
    assertNull(plan(plus(lost, SANDBOX_DIED)).loseSandbox());
  }

  @Test
  void neverIsNotRecreatedOnceItsContainersRanButIsWhenNothingRanYet() {
    PodActions ran = plan(plus(running("Never", false), SANDBOX_DIED));
    assertFalse(ran.loseSandbox().recreate());
    assertEquals(1, ran.kill().size(), "its containers are still killed");
    List<Fact> killed = plus(running("Never", false), SANDBOX_DIED,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOTREADY", false, "SandboxChanged", "m"),
        new ContainerExited(WEB, "app", "c1", 137, "Error", T0, T0.plusSeconds(1)));
    assertTrue(plan(killed).isEmpty(), "no new sandbox for a pod with nothing to run");

    PodActions nothingRan = plan(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Never", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), SANDBOX_DIED));
    assertTrue(nothingRan.loseSandbox().recreate());
  }

  @Test
  void onFailureIsNotRecreatedWhenEveryAppContainerSucceeded() {
    List<Fact> done = plus(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("OnFailure", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0)), ranTo("app", "c1", 0).toArray(Fact[]::new));
    assertFalse(plan(plus(done, SANDBOX_DIED)).loseSandbox().recreate());
    assertTrue(plan(plus(running("OnFailure", false), SANDBOX_DIED)).loseSandbox().recreate(),
        "a running container is to run again");
  }

  @Test
  void initContainersRunAgainInTheNewSandbox() {
    List<Fact> lost = plus(running("Always", true), SANDBOX_DIED,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOTREADY", true, "SandboxChanged", "m"),
        new ContainerExited(WEB, "app", "c1", 137, "Error", T0, T0.plusSeconds(1)));
    PodActions a = plan(lost);
    assertTrue(a.createSandbox());
    assertEquals(List.of(new StartContainer("init1", true, 1)), a.start(), "init1 first, as a new attempt");
    PodView v = PodFixtures.web(lost);
    assertEquals("PodInitializing", v.containers().get("init1").waitingReason());
    assertEquals("Pending", PodStatusRenderer.phase(v));
  }

  // ------------------------------------------------------------------ a sandbox removed from the runtime

  static final Fact SANDBOX_REMOVED = new io.vertlet.events.RuntimeFact.SandboxChanged(WEB, "sb", "REMOVED");

  @Test
  void aSandboxRemovedFromTheRuntimeIsLostAsNotFoundThenReplaced() {
    List<Fact> removed = plus(running("Always", false), SANDBOX_REMOVED);
    PodActions a = plan(removed);
    assertEquals(new PodActions.LoseSandbox("sb", "NOT_FOUND", true), a.loseSandbox());
    assertTrue(a.loseSandbox().gone(), "nothing left to stop");
    assertEquals(PodActions.SANDBOX_GONE_MESSAGE, a.loseSandbox().message("Always"));
    assertEquals(List.of("c1"), a.kill().stream().map(Kill::containerId).toList(), "its containers are ended");
    assertTrue(a.kill().get(0).reason().contains("removed from the runtime"), a.kill().get(0).reason());
    assertFalse(a.createSandbox(), "not before SandboxLost is journaled");
    assertEquals("False", readyToStart(removed));

    // The worker's kill finds the container gone (137, ContainerStatusUnknown, as upstream); then a new sandbox.
    List<Fact> lost = plus(removed,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOT_FOUND", true, "SandboxChanged", "m"),
        new ContainerExited(WEB, "app", "c1", 137, "ContainerStatusUnknown", T0, T0.plusSeconds(1)));
    PodActions b = plan(lost);
    assertNull(b.loseSandbox());
    assertTrue(b.createSandbox());
    assertEquals(List.of(new ScheduleRestart("app", 0, 1, "ContainerStatusUnknown")), b.schedule());
  }

  @Test
  void aSandboxRemovedFollowsTheSameRecreateRulesAsADeadOne() {
    PodActions never = plan(plus(running("Never", false), SANDBOX_REMOVED));
    assertFalse(never.loseSandbox().recreate(), "Never, once a container ran: no new sandbox");
    assertTrue(never.loseSandbox().message("Never").contains("restartPolicy Never"));
    List<Fact> ended = plus(running("Never", false), SANDBOX_REMOVED,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOT_FOUND", false, "SandboxChanged", "m"),
        new ContainerExited(WEB, "app", "c1", 137, "ContainerStatusUnknown", T0, T0.plusSeconds(1)));
    assertTrue(plan(ended).isEmpty(), "nothing to run, no sandbox");
    assertEquals("Failed", PodStatusRenderer.phase(PodFixtures.web(ended)));

    List<Fact> done = plus(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("OnFailure", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0)), ranTo("app", "c1", 0).toArray(Fact[]::new));
    assertFalse(plan(plus(done, SANDBOX_REMOVED)).loseSandbox().recreate(), "OnFailure, all succeeded");
    assertTrue(plan(List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Never", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), SANDBOX_REMOVED)).loseSandbox().recreate(),
        "Never, nothing ran yet");
  }

  @Test
  void aRemovedOrFailedPodWhoseSandboxIsRemovedIsNotGivenANewOne() {
    List<Fact> cleaningUp = plus(running("Always", false), new PodRemoved(WEB, "file", "gone"),
        new ContainerExited(WEB, "app", "c1", 0, "Completed", T0, T0), SANDBOX_REMOVED);
    PodActions a = plan(cleaningUp);
    assertNull(a.loseSandbox());
    assertFalse(a.createSandbox());
    assertTrue(a.cleanUp());
    PodActions evicted = plan(plus(running("Always", false),
        new PodEvicted(WEB, "memory.available", "90Mi", "100Mi", "low memory"), SANDBOX_REMOVED));
    assertNull(evicted.loseSandbox());
    assertFalse(evicted.createSandbox());
  }

  // ------------------------------------------------------------------ attempts: never a name the runtime may hold

  @Test
  void aContainerCreatedButNeverStartedInADeadSandboxGetsTheNextAttempt() {
    List<Fact> created = List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), new ContainerCreated(WEB, "app", "c1", "img", 0), SANDBOX_DIED);
    PodActions a = plan(created);
    assertEquals(List.of("c1"), a.kill().stream().map(Kill::containerId).toList(), "the created instance is ended");
    List<Fact> lost = plus(created,
        new io.vertlet.events.PodFact.SandboxLost(WEB, "sb", "NOTREADY", true, "SandboxChanged", "m"));
    // Whether the old instance is still in the runtime (kept with its stopped sandbox) or was removed:
    // containerd reserves (name, attempt) per pod, not per sandbox, so attempt 0 is never used again.
    assertEquals(List.of(new StartContainer("app", false, 1)), plan(lost).start());
    List<Fact> removed = plus(lost, new io.vertlet.events.RuntimeFact.ContainerRemoved(WEB, "app", "c1"));
    PodActions b = plan(removed);
    assertTrue(b.createSandbox());
    assertEquals(List.of(new StartContainer("app", false, 1)), b.start());
    assertEquals(1, PodFixtures.web(plus(removed, new SandboxCreated(WEB, "sb2", "10.0.0.4", 1),
        new ContainerCreated(WEB, "app", "c2", "img", 1))).containers().get("app").restartCount(),
        "counted as a new instance, as upstream's restartCount (the attempt)");
  }

  @Test
  void aStartInterruptedAfterCreateIsRetriedAsTheNextAttempt() {
    List<Fact> created = List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), new ContainerCreated(WEB, "app", "c1", "img", 0));
    assertEquals(List.of(new StartContainer("app", false, 1)), plan(created).start(),
        "an agent restart between CreateContainer and StartContainer: c1 (attempt 0) still holds its name");

    List<Fact> failed = plus(created, new ContainerFailedToStart(WEB, "app", "RunContainerError", "exec: no"));
    assertEquals(List.of(new ScheduleRestart("app", 10_000, 0, "RunContainerError")), plan(failed).schedule());
    List<Fact> retry = plus(failed, new RestartScheduled(WEB, "app", 0, 0, "RunContainerError"));
    assertEquals(List.of(new StartContainer("app", false, 1)), plan(retry).start(), "not attempt 0 again");

    List<Fact> pullFailed = List.of(new PodAdded(WEB, "file", "/m/web.yaml", pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), new ContainerFailedToStart(WEB, "app", "ErrImagePull", "no"),
        new RestartScheduled(WEB, "app", 0, 0, "ImagePullBackOff"));
    assertEquals(List.of(new StartContainer("app", false, 0)), plan(pullFailed).start(),
        "nothing was created yet: attempt 0 is free");
  }
}
