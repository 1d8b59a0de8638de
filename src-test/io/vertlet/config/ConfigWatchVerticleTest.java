package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.ConfigFact;
import io.vertlet.events.Fact;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch verticle over a real file: live changes, rejected changes, restart-only changes. */
class ConfigWatchVerticleTest {

  static final String HEADER = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
  static final long WAIT_SECONDS = 20;

  @TempDir Path dir;
  Vertx vertx;
  SimpleMeterRegistry registry;
  BlockingQueue<Fact> journal;
  BlockingQueue<KubeletConfig> published;
  Path file;
  KubeletFlags flags;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx, KubeletConfig.class);
    registry = new SimpleMeterRegistry();
    journal = new LinkedBlockingQueue<>();
    published = new LinkedBlockingQueue<>();
    // Stands in for the journal verticle: record the fact, reply.
    vertx.eventBus().<Fact>consumer(Addresses.JOURNAL_APPEND, msg -> {
      journal.add(msg.body());
      msg.reply("ok");
    });
    vertx.eventBus().<KubeletConfig>consumer(Addresses.CONFIG_EFFECTIVE, msg -> published.add(msg.body()));
    file = dir.resolve("kubelet.yaml");
    write(HEADER + "maxPods: 50\nport: 10250\nsurprise: 1\n");
    flags = KubeletFlags.parse("--config=" + file, "--eviction-max-pod-grace-period=30");
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private void write(String text) throws Exception {
    Path tmp = dir.resolve(".kubelet.yaml.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, dir.resolve("kubelet.yaml"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private ConfigWatchVerticle deploy() throws Exception {
    ConfigResult initial = ConfigLoader.load(flags);
    assertTrue(initial.valid(), initial.errors().toString());
    ConfigWatchVerticle verticle = new ConfigWatchVerticle(flags, initial.config(), registry, Duration.ofMillis(100));
    vertx.deployVerticle(verticle).toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    return verticle;
  }

  private <T extends Fact> T next(Class<T> type) throws InterruptedException {
    Fact f = journal.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (f == null) {
      throw new AssertionError("no " + type.getSimpleName() + " journaled within " + WAIT_SECONDS + "s");
    }
    assertEquals(type, f.getClass(), "journaled: " + f);
    return type.cast(f);
  }

  private KubeletConfig current() throws Exception {
    return vertx.eventBus().<KubeletConfig>request(Addresses.CONFIG_CURRENT, "now").toCompletionStage()
        .toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS).body();
  }

  private double gauge() {
    return registry.get(ConfigWatchVerticle.ERROR_GAUGE).gauge().value();
  }

  private void startAndSkipInitialFacts() throws Exception {
    deploy();
    next(ConfigFact.ConfigApplied.class);
    next(ConfigFact.ConfigWarned.class);
  }

  @Test
  void startJournalsTheWholeConfigAndItsWarningsAndAnswersCurrent() throws Exception {
    deploy();
    ConfigFact.ConfigApplied applied = next(ConfigFact.ConfigApplied.class);
    assertEquals(file.toString(), applied.source());
    assertEquals(ConfigSchema.FIELDS.size(), applied.changedFields().size());
    assertEquals(50, applied.config().get("maxPods"));
    assertEquals("kubelet.config.k8s.io/v1beta1", applied.config().get("apiVersion"));
    ConfigFact.ConfigWarned warned = next(ConfigFact.ConfigWarned.class);
    assertTrue(warned.warnings().get(0).contains("unknown field \"surprise\""), warned.warnings().toString());
    assertEquals(50, current().maxPods());
    assertEquals(0.0, gauge());
  }

  @Test
  void aValidLiveChangeIsAppliedJournaledAndPublished() throws Exception {
    startAndSkipInitialFacts();
    write(HEADER + "maxPods: 60\nport: 10250\nsurprise: 1\nevictionHard:\n  memory.available: 1Gi\n");
    ConfigFact.ConfigApplied applied = next(ConfigFact.ConfigApplied.class);
    assertEquals(List.of("maxPods", "evictionHard"), applied.changedFields());
    assertEquals(60, applied.config().get("maxPods"));
    KubeletConfig effective = published.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(60, effective.maxPods());
    assertEquals("1Gi", effective.evictionHard().get("memory.available"));
    assertEquals(30, effective.evictionMaxPodGracePeriod(), "flags still apply after a reload");
    assertEquals(60, current().maxPods());
  }

  @Test
  void anInvalidChangeIsRejectedKeepsLastKnownGoodAndRaisesTheGaugeUntilFixed() throws Exception {
    startAndSkipInitialFacts();
    write(HEADER + "maxPods: -1\nport: 10250\nsurprise: 1\nsyncFrequency: soon\n");
    ConfigFact.ConfigRejected rejected = next(ConfigFact.ConfigRejected.class);
    assertEquals(file.toString(), rejected.source());
    assertEquals(List.of("syncFrequency: \"soon\" is not a duration (expected a number at \"soon\")",
        "maxPods: -1 must not be negative"), rejected.errors());
    assertEquals(1.0, gauge());
    assertEquals(50, current().maxPods(), "last-known-good stays in force");
    assertNull(published.poll(300, TimeUnit.MILLISECONDS), "nothing published for a rejected change");

    write(HEADER + "maxPods: 70\nport: 10250\nsurprise: 1\n");
    ConfigFact.ConfigApplied applied = next(ConfigFact.ConfigApplied.class);
    assertEquals(List.of("maxPods"), applied.changedFields());
    assertEquals(0.0, gauge());
    assertEquals(70, current().maxPods());
  }

  @Test
  void restartOnlyFieldsAreReportedAndNotApplied() throws Exception {
    startAndSkipInitialFacts();
    write(HEADER + "maxPods: 80\nport: 10251\nsurprise: 1\nstaticPodPath: /srv/manifests\n");
    ConfigFact.ConfigRequiresRestart restart = next(ConfigFact.ConfigRequiresRestart.class);
    assertEquals(List.of("staticPodPath", "port"), restart.fields());
    ConfigFact.ConfigApplied applied = next(ConfigFact.ConfigApplied.class);
    assertEquals(List.of("maxPods"), applied.changedFields());
    KubeletConfig now = current();
    assertEquals(80, now.maxPods());
    assertEquals(10250, now.port(), "the port only changes with a restart");
    assertEquals("", now.staticPodPath());
  }

  @Test
  void aDeletedFileIsRejectedNotFatal() throws Exception {
    startAndSkipInitialFacts();
    Files.delete(file);
    ConfigFact.ConfigRejected rejected = next(ConfigFact.ConfigRejected.class);
    assertEquals(List.of(file + ": file does not exist"), rejected.errors());
    assertEquals(1.0, gauge());
    assertEquals(50, current().maxPods());
  }

  @Test
  void aChangedDropInIsWatchedToo() throws Exception {
    Path d = dir.resolve("conf.d");
    Files.createDirectories(d);
    Files.writeString(d.resolve("10-eviction.conf"), HEADER + "evictionSoft:\n  memory.available: 500Mi\n"
        + "evictionSoftGracePeriod:\n  memory.available: 1m\n");
    flags = KubeletFlags.parse("--config=" + file, "--config-dir=" + d);
    startAndSkipInitialFacts();
    Path tmp = d.resolve(".tmp");
    Files.writeString(tmp, HEADER + "evictionSoft:\n  memory.available: 700Mi\n"
        + "evictionSoftGracePeriod:\n  memory.available: 1m\n");
    Files.move(tmp, d.resolve("10-eviction.conf"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ConfigFact.ConfigApplied applied = next(ConfigFact.ConfigApplied.class);
    assertEquals(List.of("evictionSoft"), applied.changedFields());
    assertEquals("700Mi", current().evictionSoftThresholds().get("memory.available").toString());
  }
}
