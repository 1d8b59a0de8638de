package io.vertlet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT cache's training run (what the launcher runs under -XX:AOTCacheOutput) really walks a
 * pod's life on the embedded runtime, exits by itself, and leaves nothing behind: no temporary
 * dir, no supervisor, no workload.
 */
class AotTrainCommandTest {

  @TempDir Path tmp;

  @Test
  void runsOnePodThroughAnAgentAndLeavesNothingBehind() throws IOException {
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    try (ChildJvm child = ChildJvm.start(tmp.resolve("out.txt"), VertletCommand.class.getName(),
        List.of("-Xmx64m", "-Djava.io.tmpdir=" + scratch), "aot-train", "--timeout=240s")) {
      // Seconds on an idle machine; minutes when the machine is saturated (the certificate's keytool JVM).
      child.await("the training run to exit", Duration.ofSeconds(300), () -> !child.alive());
      String out = child.output();
      assertTrue(out.contains("vertlet: AOT training run done (one pod started and deleted)"),
          "the pod did not run or was not deleted; output:\n" + out);
      try (Stream<Path> left = Files.list(scratch)) {
        assertEquals(List.of(), left.toList(), "the training run's temporary dir was left behind");
      }
      List<ProcessHandle> leftovers = ProcessHandle.allProcesses()
          .filter(p -> cmdline(p.pid()).contains(scratch.toString())).toList();
      assertEquals(List.of(), leftovers, "processes of the training run are still running");
    }
  }

  private static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
