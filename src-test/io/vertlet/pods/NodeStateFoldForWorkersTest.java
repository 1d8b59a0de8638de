package io.vertlet.pods;

import static io.vertlet.pods.PodFixtures.T0;
import static io.vertlet.pods.PodFixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertlet.events.Fact;
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
}
