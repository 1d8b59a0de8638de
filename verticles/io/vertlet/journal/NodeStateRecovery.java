package io.vertlet.journal;

import io.vertlet.projection.NodeState;
import io.vertlet.projection.ProjectionSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up recovery of the node projection: newest valid snapshot + the journal tail after it.
 * Blocking; meant as the {@code recover} callable of {@code ProjectionVerticle}, run on a worker
 * once the {@link JournalVerticle} has started (so the tail is already repaired).
 */
public final class NodeStateRecovery {

  private static final Logger log = LoggerFactory.getLogger(NodeStateRecovery.class);

  private NodeStateRecovery() {}

  public static NodeState recover(Path rootDir) throws IOException {
    Recovery recovery = Recovery.load(rootDir);
    NodeState[] state = {NodeState.EMPTY};
    long from = 1;
    if (recovery.snapshot().isPresent()) {
      var snap = recovery.snapshot().get();
      try {
        state[0] = ProjectionSnapshot.decode(snap.payload());
        from = snap.seq() + 1;
      } catch (RuntimeException unreadable) {
        log.warn("snapshot {} cannot be used ({}); folding the journal from its first record",
            snap.file().getFileName(), unreadable.getMessage());
      }
    }
    recovery.forEach(from, Long.MAX_VALUE, c -> state[0] = state[0].apply(c));
    return state[0];
  }
}
