package io.vertlet.pleg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlegHealthTest {

  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  @Test
  void recentRelistIsHealthy() {
    PlegHealth h = PlegHealth.at(NOW, NOW.minusSeconds(600), NOW.minusSeconds(180), PlegHealth.DEFAULT_THRESHOLD);
    assertTrue(h.healthy());
    assertEquals("", h.message());
    assertEquals(NOW.minusSeconds(180), h.lastRelist());
  }

  @Test
  void staleRelistIsUnhealthyWithUpstreamWording() {
    PlegHealth h = PlegHealth.at(NOW, NOW.minusSeconds(600), NOW.minusSeconds(180).minusMillis(500),
        PlegHealth.DEFAULT_THRESHOLD);
    assertFalse(h.healthy());
    assertEquals("PLEG is not healthy: pleg was last seen active 3m0.5s ago; threshold is 3m0s", h.message());
  }

  @Test
  void noRelistForThreeMinutesSinceStartIsUnhealthy() {
    PlegHealth h = PlegHealth.at(NOW, NOW.minusSeconds(181), null, PlegHealth.DEFAULT_THRESHOLD);
    assertFalse(h.healthy());
    assertEquals("PLEG is not healthy: pleg has yet to be successful", h.message());
  }

  @Test
  void aPlegThatJustStartedIsNotYetUnhealthy() {
    PlegHealth h = PlegHealth.at(NOW, NOW.minusSeconds(2), null, PlegHealth.DEFAULT_THRESHOLD);
    assertTrue(h.healthy(), h.message());
    assertEquals(null, h.lastRelist());
  }

}
