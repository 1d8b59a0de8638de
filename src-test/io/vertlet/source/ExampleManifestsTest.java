package io.vertlet.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples in conf/manifests are valid static pods, and their commands work with what a fresh
 * Debian machine has (they run as host processes on the embedded runtime).
 */
class ExampleManifestsTest {

  static final Path EXAMPLES = Path.of("conf/manifests");

  static Map<String, Pod> examples() throws Exception {
    ManifestParser parser = new ManifestParser(ManifestSourceOptions.DEFAULT_MAX_MANIFEST_BYTES, "laptop");
    Map<String, Pod> pods = new TreeMap<>();
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        for (Pod pod : parser.parse(Files.readAllBytes(file), "file", file.toAbsolutePath().toString())) {
          pods.put(pod.getMetadata().getName(), pod);
        }
      }
    }
    return pods;
  }

  @Test
  void everyExampleIsAValidStaticPod() throws Exception {
    assertEquals(List.of("clock-laptop", "counter-laptop", "hello-web-laptop"), List.copyOf(examples().keySet()));
  }

  @Test
  void helloWebServesHttpWithWhatDebianHas() throws Exception {
    Container web = examples().get("hello-web-laptop").getSpec().getContainers().get(0);
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Process process = start(web, Map.of("PORT", String.valueOf(port), "POD_NAME", "hello-web-laptop",
        "NODE_NAME", "laptop"));
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String body = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (body == null && System.nanoTime() < deadline) {
        try {
          HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, response.statusCode());
          body = response.body();
        } catch (java.io.IOException notYet) {
          Thread.sleep(50);
        }
      }
      assertTrue(body != null && body.startsWith("hello from hello-web-laptop on laptop"), "answer: " + body);
      assertGracefulStop(process);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void clockPrintsTheDateAndStopsAtOnceOnSigterm() throws Exception {
    Container clock = examples().get("clock-laptop").getSpec().getContainers().get(0);
    Process process = start(clock, Map.of());
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertTrue(first != null && first.matches(".*\\d{2}:\\d{2}:\\d{2}.*"), "first line: " + first);
      assertGracefulStop(process);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void counterCountsWithoutItsVolumeMounted() throws Exception {
    Pod counter = examples().get("counter-laptop");
    Container prepare = counter.getSpec().getInitContainers().get(0);
    Process init = start(prepare, Map.of());
    assertTrue(init.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, init.exitValue());
    Process count = start(counter.getSpec().getContainers().get(0), Map.of());
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(count.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("count 1", out.readLine());
      assertGracefulStop(count);
    } finally {
      count.destroyForcibly();
    }
  }

  /** SIGTERM (what StopContainer sends) ends it well within its grace period, with status 0. */
  static void assertGracefulStop(Process process) throws InterruptedException {
    // SIGTERM through the handle: Process.destroy() would also close our end of its stdout, and
    // the farewell line would then die of SIGPIPE, which a runtime writing to a log never causes.
    process.toHandle().destroy();
    assertTrue(process.waitFor(5, TimeUnit.SECONDS), "still running at the end of the 5 s grace period");
    assertEquals(0, process.exitValue());
  }

  /** Runs a container's command line as the embedded runtime would: a host process. */
  static Process start(Container container, Map<String, String> env) throws Exception {
    assertTrue(container.getVolumeMounts().stream().allMatch(m -> !Files.exists(Path.of(m.getMountPath()))),
        "the test host must not have the example's mount path");
    List<String> command = new ArrayList<>(container.getCommand());
    command.addAll(container.getArgs());
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    for (EnvVar var : container.getEnv()) {
      if (var.getValue() != null) {
        builder.environment().put(var.getName(), var.getValue());
      }
    }
    builder.environment().putAll(env);
    return builder.start();
  }
}
