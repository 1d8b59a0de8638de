package io.vertlet.pods;

import static io.vertlet.pods.PodFixtures.T0;
import static io.vertlet.pods.PodFixtures.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertlet.events.Fact;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.projection.ContainerView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  /**
   * Drives a crash loop through the fold the way the worker does (exit → RestartScheduled with the
   * computed delay → created → started → exit after {@code runFor}) and returns the delays chosen.
   */
  static List<Long> crashLoop(RestartBackoff backoff, int exits, Duration runFor) {
    List<Fact> facts = new ArrayList<>(List.of(
        new PodAdded(WEB, "file", "/m/web.yaml", PodFixtures.pod("Always", false)),
        new SandboxCreated(WEB, "sb", "10.0.0.4", 0)));
    List<Long> delays = new ArrayList<>();
    var t = T0.plusSeconds(10);
    for (int i = 0; i < exits; i++) {
      String id = "c" + i;
      ContainerView app = PodFixtures.web(facts).containers().get("app");
      facts.add(new ContainerCreated(WEB, "app", id, "img", app.restartCount()));
      facts.add(new ContainerStarted(WEB, "app", id, t));
      facts.add(new ContainerExited(WEB, "app", id, 1, "Error", t, t.plus(runFor)));
      app = PodFixtures.web(facts).containers().get("app");
      long delay = backoff.crashDelayMillis(app);
      delays.add(delay);
      facts.add(new RestartScheduled(WEB, "app", delay, app.restartCount() + 1, "CrashLoopBackOff"));
      t = t.plus(runFor).plusMillis(delay);
    }
    return delays;
  }

  @Test
  void firstRestartAtOnceThenTenSecondsDoublingToFiveMinutes() {
    assertEquals(List.of(0L, 10_000L, 20_000L, 40_000L, 80_000L, 160_000L, 300_000L, 300_000L),
        crashLoop(RestartBackoff.DEFAULT, 8, Duration.ofSeconds(1)));
  }

  @Test
  void aContainerThatRanTenMinutesStartsOverAtOnce() {
    assertEquals(List.of(0L, 0L, 0L), crashLoop(RestartBackoff.DEFAULT, 3, Duration.ofMinutes(10)));
    // Just under the threshold still backs off.
    assertEquals(List.of(0L, 10_000L, 20_000L), crashLoop(RestartBackoff.DEFAULT, 3, Duration.ofSeconds(599)));
  }

  @Test
  void aShorterBaseForTestsDoublesTheSameWay() {
    var fast = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMinutes(10));
    assertEquals(List.of(0L, 1_000L, 2_000L, 4_000L, 4_000L), crashLoop(fast, 5, Duration.ofMillis(100)));
  }

  @Test
  void startFailuresBackOffFromTheBase() {
    var d = RestartBackoff.DEFAULT;
    ContainerView fresh = ContainerView.declared("app", false, "img", false);
    assertEquals(10_000, d.retryDelayMillis(fresh));
    ContainerView after = new ContainerView("app", false, null, "img", ContainerView.State.WAITING, "ErrImagePull",
        null, null, null, null, 0, null, 160_000, null, null, null);
    assertEquals(300_000, d.retryDelayMillis(after));
  }

  @Test
  void nonsenseFiguresAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new RestartBackoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class,
        () -> new RestartBackoff(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMinutes(1)));
  }
}
