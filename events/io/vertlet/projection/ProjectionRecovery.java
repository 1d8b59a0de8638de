package io.vertlet.projection;

import io.vertlet.journal.Recovery;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Start-up and replay: the newest snapshot the journal holds, then every fact after it. A snapshot
 * this build cannot read (another format) is passed over for a fold from the first retained fact.
 */
public final class ProjectionRecovery {

  private ProjectionRecovery() {}

  /** The state the journal in {@code journalDir} holds now. */
  public static NodeState recover(Path journalDir) throws IOException {
    Recovery recovery = Recovery.load(journalDir);
    NodeState[] state = {NodeState.EMPTY};
    if (recovery.snapshot().isPresent()) {
      try {
        state[0] = ProjectionSnapshot.decode(recovery.snapshot().get().payload());
        recovery.forEachAfterSnapshot(c -> state[0] = state[0].apply(c));
        return state[0];
      } catch (IllegalArgumentException unreadable) {
        state[0] = NodeState.EMPTY;
      }
    }
    recovery.forEach(1, Long.MAX_VALUE, c -> state[0] = state[0].apply(c));
    return state[0];
  }
}
