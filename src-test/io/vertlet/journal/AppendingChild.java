package io.vertlet.journal;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Run in a child JVM by {@link KillNineTest}: appends facts forever under a given fsync policy and
 * prints each sequence number once {@code append} (which commits under ALWAYS) has returned.
 */
public final class AppendingChild {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    FsyncPolicy policy = FsyncPolicy.parse(args[1]);
    try (Journal j = Journal.open(dir, JournalFixtures.config(policy).withSegmentBytes(64 * 1024))) {
      System.out.println("open " + j.lastSeq());
      System.out.flush();
      for (int i = 0; ; i++) {
        long seq = j.append(JournalFixtures.fact(i), Instant.now()).seq();
        if (policy != FsyncPolicy.ALWAYS) {
          j.commit();
        }
        System.out.println("acked " + seq);
        System.out.flush();
      }
    }
  }
}
