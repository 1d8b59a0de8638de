package io.vertlet.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.Committed;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.ProjectionVerticle;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal writer and the lead's projection verticle together: start-up = newest snapshot + tail. */
class ProjectionWiringTest {

  @TempDir Path root;
  Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    JournalVerticleTest.await(vertx.close());
  }

  private NodeState state() throws Exception {
    return JournalVerticleTest.await(vertx.eventBus().<NodeState>request(Addresses.PROJECTION_NODE, "")).body();
  }

  private String[] deployBoth() throws Exception {
    LocalCodec.registerAll(vertx, NodeState.class);
    String journal = JournalVerticleTest.await(vertx.deployVerticle(
        new JournalVerticle(JournalOptions.defaults(root).withSegmentBytes(2048), new SimpleMeterRegistry())));
    String projection = JournalVerticleTest.await(vertx.deployVerticle(
        new ProjectionVerticle(() -> io.vertlet.projection.ProjectionRecovery.recover(root), 7)));
    return new String[] {journal, projection};
  }

  @Test
  void restartRecoversTheSameStateFromSnapshotPlusTail() throws Exception {
    String[] ids = deployBoth();
    long last = 0;
    for (int i = 0; i < 21; i++) {
      var pod = JournalFixtures.pod(i);
      var spec = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(pod.name())
          .withNamespace(pod.namespace()).withUid(pod.uid()).endMetadata().withNewSpec().addNewContainer()
          .withName("c0").withImage("busybox").endContainer().endSpec().build();
      JournalVerticleTest.await(vertx.eventBus().request(Addresses.JOURNAL_APPEND,
          new io.vertlet.events.SourceFact.PodAdded(pod, "file", "/m/" + pod.name() + ".yaml", spec)));
    }
    for (int i = 0; i < 40; i++) {
      last = JournalVerticleTest.await(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND,
          JournalFixtures.fact(i))).body().seq();
    }
    long expectedSeq = last;
    JournalVerticleTest.eventually(() -> {
      try {
        return state().seq() == expectedSeq && !Snapshots.list(root.resolve("journal")).isEmpty();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "projection folded everything and a snapshot exists");
    NodeState before = state();
    assertFalse(before.pods().isEmpty());
    JournalVerticleTest.await(vertx.undeploy(ids[1]));
    JournalVerticleTest.await(vertx.undeploy(ids[0]));

    NodeState[] fromZero = {NodeState.EMPTY};
    Recovery.load(root).forEach(1, Long.MAX_VALUE, c -> fromZero[0] = fromZero[0].apply(c));
    assertEquals(before, fromZero[0], "the live fold equals the fold from zero");

    // Facts after the newest snapshot (the agent may snapshot at stop): add some with the store.
    try (Journal j = Journal.open(root.resolve("journal"), JournalConfig.DEFAULTS)) {
      for (int i = 40; i < 45; i++) {
        j.append(JournalFixtures.fact(i), java.time.Instant.now());
      }
      j.commit();
    }
    Recovery rec = Recovery.load(root);
    assertTrue(rec.snapshotSeq() > 0 && rec.snapshotSeq() < expectedSeq + 5, "snapshot + a tail: " + rec.snapshotSeq());
    rec.forEach(expectedSeq + 1, Long.MAX_VALUE, c -> fromZero[0] = fromZero[0].apply(c));
    before = fromZero[0];
    assertEquals(before, io.vertlet.projection.ProjectionRecovery.recover(root), "snapshot + tail equals the fold from zero");

    deployBoth();
    assertEquals(before, state());
  }
}
