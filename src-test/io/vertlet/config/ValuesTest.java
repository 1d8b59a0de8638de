package io.vertlet.config;

import io.vertlet.events.GoDuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void goDurationsParse() {
    assertEquals(Duration.ofMinutes(2), GoDuration.parse("2m0s"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1h30m"));
    assertEquals(Duration.ZERO, GoDuration.parse("0s"));
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
    assertEquals(Duration.ofMillis(500), GoDuration.parse("500ms"));
    assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
    assertEquals(Duration.ofNanos(3_000), GoDuration.parse("3us"));
    assertEquals(Duration.ofSeconds(-5), GoDuration.parse("-5s"));
    for (String bad : new String[] {"", "10", "5 s", "1d", "s", "1.2.3s"}) {
      assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(bad), bad);
    }
  }

  @Test
  void goDurationsPrintLikeGo() {
    assertEquals("1m0s", GoDuration.format(Duration.ofMinutes(1)));
    assertEquals("4h0m0s", GoDuration.format(Duration.ofHours(4)));
    assertEquals("1h30m0s", GoDuration.format(Duration.ofMinutes(90)));
    assertEquals("500ms", GoDuration.format(Duration.ofMillis(500)));
    assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
    assertEquals("0s", GoDuration.format(Duration.ZERO));
    assertEquals("10s", GoDuration.format(Duration.ofSeconds(10)));
  }

  @Test
  void quantitiesParse() {
    assertEquals(100L << 20, Quantity.parse("100Mi").longValue());
    assertEquals(1L << 30, Quantity.parse("1Gi").longValue());
    assertEquals(0, Quantity.parse("0").longValue());
    assertEquals(new BigDecimal("0.500"), Quantity.parse("500m").value());
    assertEquals(1000, Quantity.parse("1e3").longValue());
    assertEquals(150_000_000_000L, Quantity.parse("150G").longValue());
    assertEquals("100Mi", Quantity.parse("100Mi").toString());
    assertThrows(IllegalArgumentException.class, () -> Quantity.parse("lots"));
    assertThrows(IllegalArgumentException.class, () -> Quantity.parse("10MB"));
  }

  @Test
  void thresholdsAreQuantitiesOrPercentages() {
    assertEquals(10.0, Threshold.parse("10%").percentage());
    assertEquals(100, Threshold.parse("10%").resolve(1000));
    assertEquals(100L << 20, Threshold.parse("100Mi").resolve(0));
    var e = assertThrows(IllegalArgumentException.class, () -> Threshold.parse("abc"));
    assertTrue(e.getMessage().contains("neither a quantity nor a percentage"));
    assertThrows(IllegalArgumentException.class, () -> Threshold.parse("101%"));
  }
}
