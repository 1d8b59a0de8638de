package io.vertlet.projection;

import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.journal.JournalSnapshotRequest;
import io.vertlet.events.Committed;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node projection: recovers it at start (newest snapshot + journal tail, via the blocking
 * {@code recover} function run on a worker), folds every committed fact into it, answers
 * {@link Addresses#PROJECTION_NODE} with the current immutable {@link NodeState}, and asks the journal
 * to snapshot it every {@code snapshotEvery} facts so start-up and replay stay bounded.
 */
public final class ProjectionVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ProjectionVerticle.class);

  private final Callable<NodeState> recover;
  private final long snapshotEvery;
  private NodeState state = NodeState.EMPTY;
  private List<Committed> arrivedWhileRecovering = new ArrayList<>();
  private long foldedSinceSnapshot;
  private boolean snapshotInFlight;

  /**
   * @param recover blocking: the state the journal holds now (newest snapshot + tail)
   * @param snapshotEvery facts between snapshots; 0 disables snapshots (tests, replay)
   */
  public ProjectionVerticle(Callable<NodeState> recover, long snapshotEvery) {
    this.recover = recover;
    this.snapshotEvery = snapshotEvery;
  }

  @Override
  public Future<?> start() {
    // The records this verticle replies with and sends, passed by reference on the local bus.
    LocalCodec.registerAll(vertx, NodeState.class, JournalSnapshotRequest.class);
    // Subscribe before recovering: a fact committed while the journal is read is then either in what
    // recover() returns or in the buffer (or both, which apply() tolerates by sequence number).
    MessageConsumer<Committed> committed = vertx.eventBus().consumer(Addresses.JOURNAL_COMMITTED, m -> onCommitted(
        m.body()));
    vertx.eventBus().consumer(Addresses.PROJECTION_NODE, m -> m.reply(state));
    return committed.completion()
        .compose(v -> vertx.executeBlocking(recover))
        .onSuccess(recovered -> {
          state = recovered;
          for (Committed c : arrivedWhileRecovering) {
            state = state.apply(c);
          }
          arrivedWhileRecovering = null;
          log.info("projection recovered at seq {} with {} pods", state.seq(), state.pods().size());
        });
  }

  private void onCommitted(Committed c) {
    if (arrivedWhileRecovering != null) {
      arrivedWhileRecovering.add(c);
      return;
    }
    state = state.apply(c);
    if (snapshotEvery > 0 && ++foldedSinceSnapshot >= snapshotEvery && !snapshotInFlight) {
      snapshot();
    }
  }

  private void snapshot() {
    NodeState toWrite = state; // immutable: safe to encode on a worker while folding goes on
    snapshotInFlight = true;
    foldedSinceSnapshot = 0;
    vertx.executeBlocking(() -> ProjectionSnapshot.encode(toWrite))
        .compose(bytes -> vertx.eventBus().request(Addresses.JOURNAL_SNAPSHOT,
            new JournalSnapshotRequest(toWrite.seq(), bytes)))
        .onComplete(ar -> {
          snapshotInFlight = false;
          if (ar.failed()) {
            log.warn("snapshot at seq {} failed: {}", toWrite.seq(), ar.cause().getMessage());
          }
        });
  }
}
