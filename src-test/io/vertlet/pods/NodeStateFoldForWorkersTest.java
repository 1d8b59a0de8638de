package io.vertlet.pods;

import static io.vertlet.pods.PodFixtures.T0;
import static io.vertlet.pods.PodFixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.Fact;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodFact.SandboxLost;
import io.vertlet.events.RuntimeFact.ContainerRemoved;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.projection.ContainerView;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fold rules the pod workers and PLEG rely on to report the same thing twice without harm. */
class NodeStateFoldForWorkersTest {

  @Test
  void theSameStartReportedTwiceKeepsTheFirstReport() {
    List<Fact> f = PodActionsTest.plus(PodActionsTest.running("Always", false),
        new ContainerStarted(WEB, "app", "c1", T0.plusSeconds(7)));
    assertEquals(T0, PodFixtures.web(f).containers().get("app").startedAt());
  }

  @Test
  void aLateExitOfAnOlderInstanceDoesNotEndTheCurrentOne() {
    List<Fact> f = PodActionsTest.plus(PodActionsTest.running("Always", false),
        new ContainerExited(WEB, "app", "c0", 1, "Error", T0, T0));
    ContainerView app = PodFixtures.web(f).containers().get("app");
    assertEquals(ContainerView.State.RUNNING, app.state());
    assertEquals("c1", app.containerId());
  }

  @Test
  void theSameExitReportedTwiceChangesNothing() {
    List<Fact> once = PodActionsTest.plus(PodActionsTest.running("Always", false),
        new ContainerExited(WEB, "app", "c1", 1, "Error", T0, T0.plusSeconds(1)));
    List<Fact> twice = PodActionsTest.plus(once, new ContainerExited(WEB, "app", "c1", 1, "Error", T0,
        T0.plusSeconds(2)));
    assertEquals(PodFixtures.web(once).containers().get("app"), PodFixtures.web(twice).containers().get("app"));
  }

  @Test
  void aFailedStartClearsTheDueBackoffSoTheWorkerSchedulesANewOne() {
    List<Fact> f = PodActionsTest.plus(PodActionsTest.running("Always", false),
        new ContainerExited(WEB, "app", "c1", 1, "Error", T0, T0),
        new RestartScheduled(WEB, "app", 0, 1, "Error"),
        new ContainerFailedToStart(WEB, "app", "RunContainerError", "exec: not found"));
    ContainerView app = PodFixtures.web(f).containers().get("app");
    assertNull(app.backoffUntil());
    assertEquals("RunContainerError", app.waitingReason());
  }

  @Test
  void aSandboxRemovedUnderARunningPodIsDeadAsNotFound() {
    var p = PodFixtures.web(PodActionsTest.plus(PodActionsTest.running("Always", false), PodActionsTest.SANDBOX_REMOVED));
    assertEquals("sb", p.sandboxId(), "kept until the worker journals SandboxLost");
    assertEquals("NOT_FOUND", p.sandboxState());
    assertTrue(p.sandboxDead());
  }

  @Test
  void aSandboxRemovedByTheCleanUpOfARemovedPodIsForgotten() {
    var p = PodFixtures.web(PodActionsTest.plus(PodActionsTest.running("Always", false),
        new PodRemoved(WEB, "file", "gone"), PodActionsTest.SANDBOX_REMOVED));
    assertNull(p.sandboxId());
    assertFalse(p.sandboxDead());
  }

  @Test
  void theRemovalOfASandboxAlreadyGivenUpChangesNothing() {
    List<Fact> f = PodActionsTest.plus(PodActionsTest.running("Always", false), PodActionsTest.SANDBOX_DIED,
        new SandboxLost(WEB, "sb", "NOTREADY", true, "SandboxChanged", "m"),
        new SandboxCreated(WEB, "sb2", "10.0.0.4", 1));
    var before = PodFixtures.web(f);
    var after = PodFixtures.web(PodActionsTest.plus(f, PodActionsTest.SANDBOX_REMOVED));
    assertEquals("sb2", after.sandboxId());
    assertNull(after.sandboxState());
    assertEquals(before.containers(), after.containers());
  }

  @Test
  void aCreatedInstanceRemovedBeforeItRanLeavesTheContainerWaitingWithItsAttempt() {
    List<Fact> f = List.of(new PodAdded(WEB, "file", "/m/web.yaml", PodFixtures.pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0), new ContainerCreated(WEB, "app", "c1", "img", 0),
        new ContainerRemoved(WEB, "app", "c1"));
    ContainerView app = PodFixtures.web(f).containers().get("app");
    assertNull(app.containerId(), "no instance to stop any more");
    assertEquals(ContainerView.State.WAITING, app.state());
    assertEquals("ContainerCreating", app.waitingReason());
    assertNull(app.lastTerminated(), "it never ran: no made-up termination");
    assertEquals(0, app.attempt());
    assertEquals(1, app.nextAttempt());
  }

  @Test
  void aRemovedInstanceThatRanKeepsItsLastStatus() {
    List<Fact> exited = PodActionsTest.plus(PodActionsTest.running("Never", false),
        new ContainerExited(WEB, "app", "c1", 137, "ContainerStatusUnknown", T0, T0.plusSeconds(1)));
    assertEquals(PodFixtures.web(exited).containers().get("app"),
        PodFixtures.web(PodActionsTest.plus(exited, new ContainerRemoved(WEB, "app", "c1"))).containers().get("app"));
  }
}
