package io.vertlet.http;

import static io.vertlet.http.HttpTesting.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.bus.Addresses;
import io.vertlet.journal.JournalHealth;
import io.vertlet.pleg.PlegHealth;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthzVerticleTest {

  @TempDir Path dir;
  private Vertx vertx;
  private String base;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    int port = HttpTesting.freePort();
    HttpOptions options = HttpOptions.defaults("node-a", dir)
        .withHealthz("127.0.0.1", port)
        .withBusTimeout(Duration.ofMillis(500));
    vertx.deployVerticle(new HealthzVerticle(options)).await();
    base = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void okWhenNothingToCheckIsRunning() {
    HttpResponse<String> response = get(base + "/healthz");
    assertEquals(200, response.statusCode());
    assertEquals("ok", response.body());

    String verbose = get(base + "/healthz?verbose").body();
    assertTrue(verbose.contains("[+]ping ok"), verbose);
    assertTrue(verbose.contains("[+]journal skipped: journal writer is not running"), verbose);
    assertTrue(verbose.endsWith("healthz check passed\n"), verbose);
  }

  @Test
  void okWhenJournalAndPlegAreHealthy() {
    vertx.eventBus().consumer(Addresses.JOURNAL_HEALTH, msg -> msg.reply(journal(false, null)));
    vertx.eventBus().consumer(Addresses.PLEG_HEALTH,
        msg -> msg.reply(new PlegHealth(Instant.now(), true, null)));
    HttpResponse<String> response = get(base + "/healthz");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ok", response.body());
    assertEquals("ok", get(base + "/healthz/journal").body());
  }

  @Test
  void failsWithTheReasonWhenTheJournalWriterIsStuck() {
    vertx.eventBus().consumer(Addresses.JOURNAL_HEALTH,
        msg -> msg.reply(journal(true, "fsync has not returned for 12s (3 records pending)")));
    HttpResponse<String> response = get(base + "/healthz");
    assertEquals(500, response.statusCode());
    assertTrue(response.body().contains("[-]journal failed: fsync has not returned for 12s (3 records pending)"),
        response.body());
    assertTrue(response.body().endsWith("healthz check failed\n"), response.body());

    HttpResponse<String> one = get(base + "/healthz/journal");
    assertEquals(500, one.statusCode());
    assertTrue(one.body().contains("fsync has not returned"), one.body());
    assertEquals(200, get(base + "/healthz/ping").statusCode());
  }

  @Test
  void failsWhenTheJournalWriterDoesNotAnswer() {
    vertx.eventBus().consumer(Addresses.JOURNAL_HEALTH, msg -> { /* a writer wedged on its event loop */ });
    HttpResponse<String> response = get(base + "/healthz");
    assertEquals(500, response.statusCode());
    assertTrue(response.body().contains("[-]journal failed: journal writer is not responding"), response.body());
  }

  @Test
  void failsWithThePlegMessageWhenRelistIsStale() {
    vertx.eventBus().consumer(Addresses.PLEG_HEALTH, msg -> msg.reply(
        new PlegHealth(Instant.now().minusSeconds(400), false, "pleg was last seen active 6m40s ago; threshold is 3m0s")));
    HttpResponse<String> response = get(base + "/healthz");
    assertEquals(500, response.statusCode());
    assertTrue(response.body().contains("[-]pleg failed: pleg was last seen active 6m40s ago"), response.body());
  }

  @Test
  void unknownPathsAndChecksAre404() {
    HttpResponse<String> response = get(base + "/nope");
    assertEquals(404, response.statusCode());
    assertTrue(response.body().contains("/nope"), response.body());
    HttpResponse<String> check = get(base + "/healthz/bogus");
    assertEquals(404, check.statusCode());
    assertTrue(check.body().contains("bogus"), check.body());
  }

  private static JournalHealth journal(boolean stuck, String reason) {
    return new JournalHealth(42, stuck ? 3 : 0, stuck ? Instant.now().minusSeconds(12) : null, Instant.now(), stuck,
        reason);
  }
}
