package io.vertlet.journal;

import java.util.Locale;

/** When appended records are forced to stable storage before they count as committed. */
public enum FsyncPolicy {
  /** fsync after every record: one record per disk flush, the slowest and the safest. */
  ALWAYS,
  /** Group commit: the writer appends a whole batch, then fsyncs once for all of it (the default). */
  BATCH,
  /** Never fsync: records are committed once in the page cache; a power loss may lose the latest ones. */
  NONE;

  /** Parses {@code always|batch|none} (any case), naming the accepted values when it cannot. */
  public static FsyncPolicy parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("fsync policy '" + text + "' is not one of always, batch, none");
    }
  }

  public String lowerName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
