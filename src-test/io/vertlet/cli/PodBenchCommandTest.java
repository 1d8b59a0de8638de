package io.vertlet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's argument checks and its /proc readings (the full bench is run by hand, docs/performance.md). */
class PodBenchCommandTest {

  @TempDir Path dir;

  @Test
  void usageErrorsExitWithTwoBeforeStartingAnything() throws Exception {
    Path jar = Files.writeString(dir.resolve("vertlet.jar"), "not run");
    assertEquals(2, VertletCommand.commandLine().execute("bench", "pods", "--runtime", "docker",
        "--agent-jar", jar.toString()));
    assertEquals(2, VertletCommand.commandLine().execute("bench", "pods", "--runtime", "containerd",
        "--agent-jar", jar.toString()));
    assertEquals(2, VertletCommand.commandLine().execute("bench", "pods", "--agent-jar",
        dir.resolve("missing.jar").toString()));
  }

  @Test
  void readsRssAndCpuOfARealProcessFromProc() {
    long self = ProcessHandle.current().pid();
    long busyUntil = System.nanoTime() + 200_000_000L;
    long spin = 0;
    while (System.nanoTime() < busyUntil) {
      spin++;
    }
    assertTrue(spin > 0);
    assertTrue(PodBenchCommand.rssMiB(self) > 10, "a JVM's VmRSS is more than 10 MiB");
    assertTrue(PodBenchCommand.cpuTicks(self) > 0, "200 ms of spinning shows in utime");
    assertEquals(0, PodBenchCommand.rssMiB(Long.MAX_VALUE), "a process that does not exist has no RSS");
  }
}
