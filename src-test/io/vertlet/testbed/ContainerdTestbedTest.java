package io.vertlet.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertlet.testing.ContainerdTestbed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The private containerd that deploy/testbed/containerd.sh starts: its socket answers and both test
 * images are imported. Under CI (CI=true) a missing endpoint is a failure, never a skip, so the
 * containerd tests cannot silently stop running.
 */
public class ContainerdTestbedTest {

  static Path socket;

  @BeforeAll
  static void endpoint() {
    socket = requiredSocket();
  }

  /**
   * The socket of the testbed, or a skip outside CI when none was given. Other containerd tests can
   * call this too, so they share one rule.
   */
  public static Path requiredSocket() {
    return Path.of(ContainerdTestbed.endpoint().substring("unix://".length()));
  }


  @Test
  void socketExistsAndAnswers() throws Exception {
    assertTrue(Files.exists(socket), "no socket at " + socket);
    Result version = ctr("version");
    assertEquals(0, version.exit(), "ctr version failed: " + version.output());
    assertTrue(version.output().contains("Server:"), "no server version in: " + version.output());
  }

  @Test
  void bothTestImagesArePresent() throws Exception {
    Result images = ctr("--namespace", "k8s.io", "images", "ls", "-q");
    assertEquals(0, images.exit(), "ctr images ls failed: " + images.output());
    List<String> refs = images.output().lines().map(String::trim).toList();
    assertTrue(refs.contains("localhost/pause:3.6"), "pause image missing from " + refs);
    assertTrue(refs.contains("localhost/busybox:1.35"), "busybox image missing from " + refs);
  }

  record Result(int exit, String output) {}

  static Result ctr(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--timeout", "10s"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("ctr " + String.join(" ", args) + " did not finish within 30 s");
    }
    return new Result(process.exitValue(), output);
  }
}
