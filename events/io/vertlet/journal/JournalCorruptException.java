package io.vertlet.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The journal is damaged somewhere other than its tail, so a sound record would be lost by
 * truncating: vertlet refuses to go on rather than skip silently. The message names the segment and
 * byte offset and the commands an operator runs next.
 */
public final class JournalCorruptException extends IOException {

  private final transient Damage damage;

  public JournalCorruptException(Path where, Damage damage) {
    super("journal " + where + " is corrupt in the middle: " + damage
        + (damage.validAfter() ? " (sound records follow it)" : " (later segments follow it)")
        + "; refusing to skip records silently. Inspect with `vertlet journal verify --dir " + where
        + "`; to keep only what precedes the damage run `vertlet journal repair --dir " + where
        + " --truncate-at " + damage.segment() + ":" + damage.offset()
        + "` (it copies everything it cuts to *.broken first)");
    this.damage = damage;
  }

  public Damage damage() {
    return damage;
  }
}
