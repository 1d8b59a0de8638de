package io.vertlet.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.Committed;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGKILL a JVM that is appending with fsync {@code always}: nothing it acknowledged may be lost. */
class KillNineTest {

  @TempDir Path dir;

  @Test
  void everyAcknowledgedRecordSurvivesKillNine() throws Exception {
    long lastAcked = 0;
    for (int round = 0; round < 2; round++) {
      long acked = runAndKill(lastAcked, 150 + round * 50);
      assertTrue(acked > lastAcked);
      List<Committed> after;
      try (Journal j = Journal.open(dir, JournalFixtures.config(FsyncPolicy.ALWAYS))) {
        assertTrue(j.lastSeq() >= acked, "acked " + acked + " but the journal ends at " + j.lastSeq());
        after = JournalFixtures.readAll(dir);
      }
      for (Committed c : after) {
        int i = (int) (c.seq() - 1 - lastAcked);
        if (c.seq() > lastAcked && c.seq() <= acked) {
          // The child numbers its facts from 0 in each run, after what the previous run left.
          assertEquals(JournalFixtures.fact(i).type(), c.fact().type(), "seq " + c.seq());
        }
      }
      for (long s = 1; s <= acked; s++) {
        assertEquals(s, after.get((int) s - 1).seq());
      }
      lastAcked = after.getLast().seq();
    }
  }

  /** Starts the child, waits for {@code atLeast} acknowledgements past {@code before}, kills it -9. */
  private long runAndKill(long before, int atLeast) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), AppendingChild.class.getName(), dir.toString(), "always")
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    long acked = before;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((line = out.readLine()) != null) {
        if (line.startsWith("open ")) {
          assertEquals(before, Long.parseLong(line.substring(5)), "child reopened at the last record");
        } else if (line.startsWith("acked ")) {
          long seq = Long.parseLong(line.substring(6));
          assertEquals(acked + 1, seq, "acknowledged in order");
          acked = seq;
        }
        if (acked - before >= atLeast || System.nanoTime() > deadline) {
          break;
        }
      }
      // SIGKILL while it is mid-append: no shutdown hook, no close, no final fsync.
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      assertEquals(137, child.exitValue(), "killed by SIGKILL");
      // destroyForcibly closes our end of the pipe: acknowledgements still in it go unread, which
      // only makes the check below weaker, never wrong.
    }
    assertTrue(acked - before >= atLeast, "child acknowledged only " + (acked - before));
    return acked;
  }
}
