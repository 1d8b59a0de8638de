package io.vertlet.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.JournalFact.JournalRepaired;
import io.vertlet.events.JournalFact.JournalRetentionApplied;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalVerticleTest {

  @TempDir Path root;
  Vertx vertx;
  PrometheusMeterRegistry registry;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  private String deploy(JournalOptions options) throws Exception {
    return await(vertx.deployVerticle(new JournalVerticle(options, registry)));
  }

  private Committed append(Fact fact) throws Exception {
    return await(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, fact)).body();
  }

  private JournalHealth health() throws Exception {
    return await(vertx.eventBus().<JournalHealth>request(Addresses.JOURNAL_HEALTH, "")).body();
  }

  @Test
  void appendsAreAnsweredAndPublishedInSequenceOrderSharingFsyncs() throws Exception {
    deploy(JournalOptions.defaults(root));
    List<Committed> published = new CopyOnWriteArrayList<>();
    await(vertx.eventBus().<Committed>consumer(Addresses.JOURNAL_COMMITTED, m -> published.add(m.body()))
        .completion());
    int n = 400;
    List<Future<Committed>> replies = Collections.synchronizedList(new ArrayList<>());
    // Sent in one go from the event loop so they queue up behind the first write: group commit.
    vertx.runOnContext(v -> {
      for (int i = 0; i < n; i++) {
        replies.add(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, JournalFixtures.fact(i))
            .map(m -> m.body()));
      }
    });
    eventually(() -> replies.size() == n, "appends sent");
    List<Committed> answered = new ArrayList<>();
    for (Future<Committed> f : replies) {
      answered.add(await(f));
    }
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, answered.get(i).seq(), "arrival order is sequence order");
      assertEquals(JournalFixtures.fact(i), answered.get(i).fact());
    }
    eventually(() -> published.size() == n, "publications");
    assertEquals(answered, published, "published in sequence order, the same Committed as replied");

    double fsyncs = registry.get("vertlet.journal.fsync.duration").timer().count();
    assertTrue(fsyncs >= 1 && fsyncs < n / 2.0, "group commit shares fsyncs: " + fsyncs + " for " + n);
    String scrape = registry.scrape();
    assertTrue(scrape.contains("vertlet_journal_records_appended_total " + n + ".0"), scrape);
    assertTrue(scrape.contains("vertlet_journal_bytes_appended_total"), scrape);
    assertTrue(scrape.contains("vertlet_journal_fsync_duration_seconds_bucket{le=\"0.001\"}"), scrape);
    assertTrue(scrape.contains("vertlet_journal_segments 1.0"), scrape);
    assertTrue(scrape.contains("vertlet_journal_last_sequence " + n + ".0"), scrape);
    assertTrue(scrape.contains("vertlet_journal_snapshots_written_total 0.0"), scrape);
    assertTrue(scrape.contains("vertlet_journal_repairs_total 0.0"), scrape);

    // What was acknowledged is on disk, readable without the verticle.
    assertEquals(answered, JournalFixtures.readAll(root.resolve("journal")));
  }

  @Test
  void alwaysPolicyFsyncsEveryRecord() throws Exception {
    deploy(JournalOptions.defaults(root).withFsync(FsyncPolicy.ALWAYS));
    List<Future<Committed>> replies = Collections.synchronizedList(new ArrayList<>());
    vertx.runOnContext(v -> {
      for (int i = 0; i < 20; i++) {
        replies.add(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, JournalFixtures.fact(i))
            .map(m -> m.body()));
      }
    });
    eventually(() -> replies.size() == 20, "appends sent");
    for (Future<Committed> f : replies) {
      await(f);
    }
    assertEquals(20, registry.get("vertlet.journal.fsync.duration").timer().count());
  }

  @Test
  void healthReportsProgressAndTurnsStuckWhenAWriteHangs() throws Exception {
    deploy(JournalOptions.defaults(root).withStuckAfter(Duration.ofMillis(300)));
    JournalHealth fresh = health();
    assertEquals(0, fresh.lastSeq());
    assertFalse(fresh.stuck());
    assertNull(fresh.lastFsyncAt());
    append(JournalFixtures.fact(1));
    JournalHealth after = health();
    assertEquals(1, after.lastSeq());
    assertEquals(0, after.pending());
    assertNull(after.oldestPendingSince());
    assertNotNull(after.lastFsyncAt());
    assertFalse(after.stuck());
    assertNull(after.reason());

    // Occupy the writer's only thread, as a disk that stops answering would.
    var sameWorker = vertx.createSharedWorkerExecutor("vertlet-journal-writer", 1);
    var release = new java.util.concurrent.CountDownLatch(1);
    var occupied = new java.util.concurrent.CountDownLatch(1);
    sameWorker.executeBlocking(() -> {
      occupied.countDown();
      return release.await(20, TimeUnit.SECONDS);
    });
    assertTrue(occupied.await(20, TimeUnit.SECONDS), "the writer's thread is occupied");
    Future<Committed> blocked = vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, JournalFixtures.fact(2))
        .map(m -> m.body());
    eventually(() -> {
      try {
        return health().stuck();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "health to say stuck");
    JournalHealth stuck = health();
    assertEquals(1, stuck.pending());
    assertNotNull(stuck.oldestPendingSince());
    assertTrue(stuck.reason().contains("pending for"), stuck.reason());
    release.countDown();
    assertEquals(2, await(blocked).seq());
    assertFalse(health().stuck());
    sameWorker.close();
  }

  @Test
  void aTornTailIsRepairedAtStartAndJournaled() throws Exception {
    String id = deploy(JournalOptions.defaults(root));
    for (int i = 0; i < 5; i++) {
      append(JournalFixtures.fact(i));
    }
    await(vertx.undeploy(id));
    Path journal = root.resolve("journal");
    JournalRecord last = JournalFixtures.records(journal).getLast();
    try (RandomAccessFile f = new RandomAccessFile(journal.resolve(last.segment()).toFile(), "rw")) {
      f.setLength(last.offset() + 11);
    }
    deploy(JournalOptions.defaults(root));
    JournalPage page = await(vertx.eventBus().<JournalPage>request(Addresses.JOURNAL_READ,
        new JournalReadRequest(1, 100))).body();
    assertEquals(5, page.records().size(), "4 sound records + the repair fact");
    Committed repaired = page.records().getLast();
    assertEquals(5, repaired.seq());
    JournalRepaired r = assertInstanceOf(JournalRepaired.class, repaired.fact());
    assertEquals(last.offset(), r.offset());
    assertEquals(11, r.bytesCut());
    assertTrue(Files.exists(journal.resolve(r.brokenCopy())));
    assertTrue(registry.scrape().contains("vertlet_journal_repairs_total 1.0"));
    // The redeployed writer's gauges are its own, not the first deployment's (which ended at 5).
    assertEquals(6, append(JournalFixtures.fact(6)).seq());
    assertTrue(registry.scrape().contains("vertlet_journal_last_sequence 6.0"), registry.scrape());
  }

  @Test
  void corruptionInTheMiddleFailsTheDeploymentNamingTheOffset() throws Exception {
    String id = deploy(JournalOptions.defaults(root));
    for (int i = 0; i < 10; i++) {
      append(JournalFixtures.fact(i));
    }
    await(vertx.undeploy(id));
    Path journal = root.resolve("journal");
    JournalRecord victim = JournalFixtures.records(journal).get(3);
    JournalRepairTest.flipBit(journal.resolve(victim.segment()), victim.offset() + 25);
    var failed = vertx.deployVerticle(new JournalVerticle(JournalOptions.defaults(root), registry));
    eventually(failed::isComplete, "deployment outcome");
    assertTrue(failed.failed());
    assertTrue(failed.cause().getMessage().contains(victim.segment() + " at byte offset " + victim.offset()),
        failed.cause().getMessage());
  }

  @Test
  void snapshotsAreWrittenAndRetentionIsJournaled() throws Exception {
    deploy(JournalOptions.defaults(root).withSegmentBytes(4096).withRetention(8192, Duration.ZERO));
    Committed appended = null;
    for (int i = 0; i < 120; i++) {
      appended = append(JournalFixtures.fact(i));
    }
    Committed last = appended;
    long seq = await(vertx.eventBus().<Long>request(Addresses.JOURNAL_SNAPSHOT,
        new JournalSnapshotRequest(last.seq(), "state".getBytes()))).body();
    assertEquals(last.seq(), seq);
    assertEquals(last.seq(), Recovery.load(root).snapshotSeq());
    eventually(() -> registry.scrape().contains("vertlet_journal_last_sequence " + (last.seq() + 1) + ".0"),
        "the retention fact");
    JournalPage page = await(vertx.eventBus().<JournalPage>request(Addresses.JOURNAL_READ,
        new JournalReadRequest(last.seq() + 1, 10))).body();
    JournalRetentionApplied applied = assertInstanceOf(JournalRetentionApplied.class, page.records().getFirst().fact());
    assertEquals(last.seq(), applied.snapshotSeq());
    assertFalse(applied.segments().isEmpty());
    assertTrue(registry.scrape().contains("vertlet_journal_snapshots_written_total 1.0"));
    var refused = vertx.eventBus().request(Addresses.JOURNAL_SNAPSHOT, new JournalSnapshotRequest(10_000, new byte[0]));
    eventually(refused::isComplete, "refusal");
    assertTrue(refused.failed());
  }

  @Test
  void readsPageThroughDurableRecords() throws Exception {
    deploy(JournalOptions.defaults(root));
    for (int i = 0; i < 25; i++) {
      append(JournalFixtures.fact(i));
    }
    List<Long> seen = new ArrayList<>();
    long since = 0;
    while (true) {
      JournalPage page = await(vertx.eventBus().<JournalPage>request(Addresses.JOURNAL_READ,
          new JournalReadRequest(since, 10))).body();
      if (page.records().isEmpty()) {
        assertEquals(Math.max(1, since), page.nextSeq());
        break;
      }
      assertTrue(page.records().size() <= 10);
      page.records().forEach(c -> seen.add(c.seq()));
      since = page.nextSeq();
    }
    assertEquals(25, seen.size());
    assertEquals(1L, seen.getFirst());
    assertEquals(25L, seen.getLast());
  }

  @Test
  void aGroupCommitDelayGathersAppendsIntoOneFsync() throws Exception {
    deploy(JournalOptions.defaults(root).withGroupCommit(Duration.ofMillis(200), 4096));
    List<Future<Committed>> replies = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 10; i++) { // sent one by one from this thread, not in one event-loop turn
      replies.add(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, JournalFixtures.fact(i))
          .map(m -> m.body()));
    }
    for (Future<Committed> f : replies) {
      await(f);
    }
    assertEquals(1, registry.get("vertlet.journal.fsync.duration").timer().count(), "one batch, one fsync");
  }

  @Test
  void undeployingWritesWhatIsPendingAndRefusesNothingAlreadyQueued() throws Exception {
    String id = deploy(JournalOptions.defaults(root));
    List<Future<Committed>> replies = Collections.synchronizedList(new ArrayList<>());
    vertx.runOnContext(v -> {
      for (int i = 0; i < 300; i++) {
        replies.add(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, JournalFixtures.fact(i))
            .map(m -> m.body()));
      }
    });
    eventually(() -> replies.size() == 300, "appends sent");
    await(vertx.undeploy(id));
    List<Long> acked = new ArrayList<>();
    for (Future<Committed> f : replies) {
      eventually(f::isComplete, "every append answered");
      if (f.succeeded()) {
        acked.add(f.result().seq());
      }
    }
    assertFalse(acked.isEmpty());
    List<Committed> onDisk = JournalFixtures.readAll(root.resolve("journal"));
    for (long seq : acked) {
      assertEquals(seq, onDisk.get((int) seq - 1).seq());
    }
    assertEquals(acked.size(), onDisk.size(), "nothing on disk that was not acknowledged, nothing acked missing");
  }
}
