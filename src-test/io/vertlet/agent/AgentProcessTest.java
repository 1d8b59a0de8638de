package io.vertlet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.FactCodec;
import io.vertlet.testing.ChildJvm;
import io.vertlet.testing.CliRun;
import io.vertlet.testing.ContainerdTestbed;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The agent as an operator runs it: a separate process, real ports, signals, and its journal on disk; the
 * kill -9 recovery on both runtimes (containerd from the testbed, required under CI).
 */
class AgentProcessTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  String nodeName = "test-node";

  @Test
  void startsJournalsItsLifeAndRecoversAfterKillNine() throws Exception {
    int healthz = freePort();
    int readOnly = freePort();
    Path config = writeConfig(healthz, readOnly, "embedded");

    try (ChildJvm first = startAgent(config, "first.log")) {
      first.await("healthz ok", Duration.ofSeconds(60), () -> "ok".equals(get(healthz, "/healthz")));
      first.await("the agent saying where it listens", Duration.ofSeconds(30),
          () -> first.output().contains("listening: read-only http://127.0.0.1:" + readOnly));
      first.await("AgentStarted and ConfigApplied journaled", Duration.ofSeconds(30),
          () -> types(readOnly).contains("ConfigApplied"));
      List<String> types = types(readOnly);
      assertEquals("AgentStarted", types.get(0), types.toString());
      assertTrue(types.contains("ConfigApplied"), types.toString());
      first.kill9();
    }

    try (ChildJvm second = startAgent(config, "second.log")) {
      second.await("a second AgentStarted after kill -9", Duration.ofSeconds(60),
          () -> types(readOnly).stream().filter("AgentStarted"::equals).count() == 2);
      assertEquals("ok", get(healthz, "/healthz"));
      JsonNode records = journal(readOnly);
      List<JsonNode> starts = new ArrayList<>();
      records.forEach(r -> {
        if ("AgentStarted".equals(r.get("type").asString())) {
          starts.add(r);
        }
      });
      assertEquals(2, starts.size(), records.toString());
      // The second start folded everything the first one journaled before it was killed.
      long firstRunLast = starts.get(1).get("seq").asLong() - 1;
      assertEquals(firstRunLast, starts.get(1).get("fact").get("recoveredFromSeq").asLong());
      assertEquals(0, second.terminate(Duration.ofSeconds(30)), second.output());
    }

    List<String> types = new ArrayList<>();
    CliRun cat = CliRun.of("journal", "cat", "--dir", dir.resolve("root").toString());
    assertEquals(0, cat.status(), cat.err());
    for (String line : cat.lines()) {
      types.add(FactCodec.JSON.readTree(line).get("type").asString());
    }
    assertEquals("AgentStopping", types.getLast(), "SIGTERM is journaled as the last fact: " + types);
    assertEquals(0, CliRun.of("journal", "verify", "--dir", dir.resolve("root").toString()).status());
  }

  static List<String> runtimes() {
    return List.of("embedded", "containerd");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void killNineWithTenPodsRunningRecreatesNothingAndKeepsTheBackOff(String runtime) throws Exception {
    // containerd is shared by the whole suite: a node name of its own keeps these pods apart from others'.
    boolean containerd = runtime.equals("containerd");
    String endpoint = containerd ? ContainerdTestbed.endpoint() : "embedded";
    nodeName = containerd ? "kill9-" + Long.toHexString(System.nanoTime()) : "test-node";
    int healthz = freePort();
    int readOnly = freePort();
    Path config = writeConfig(healthz, readOnly, endpoint);
    Path manifests = dir.resolve("manifests");
    for (int i = 0; i < 10; i++) {
      writeManifest(manifests, "sleeper-" + i, "sleep 3600");
    }
    writeManifest(manifests, "crasher", "exit 1");

    Map<String, String> idsBefore;
    JsonNode crasherBefore;
    try (ChildJvm first = startAgent(config, "first.log")) {
      first.await("10 sleepers Running and the crasher in CrashLoopBackOff", Duration.ofSeconds(90),
          () -> runningSleepers(readOnly) == 10 && "CrashLoopBackOff".equals(waitingReason(crasher(readOnly))));
      idsBefore = containerIds(readOnly);
      crasherBefore = crasher(readOnly);
      first.kill9();
    }
    int restartsBefore = crasherBefore.get("restartCount").asInt();
    assertTrue(restartsBefore >= 2, "the crasher restarted at once, then backs off: " + crasherBefore);

    try (ChildJvm second = startAgent(config, "second.log")) {
      second.await("the 10 sleepers Running again", Duration.ofSeconds(60), () -> runningSleepers(readOnly) == 10);
      assertEquals(idsBefore, containerIds(readOnly), "no container was recreated");
      JsonNode crasherAfter = crasher(readOnly);
      assertTrue(crasherAfter.get("restartCount").asInt() >= restartsBefore,
          "the restart count survives the agent: " + crasherAfter);
      // The back-off survives too: the first crasher container created after the restart is created
      // no earlier than the last RestartScheduled of the first run said.
      second.await("the crasher restarted by the second agent", Duration.ofSeconds(60),
          () -> createdAfterRestart(readOnly) != null);
      JsonNode lastScheduled = null;
      for (JsonNode r : journal(readOnly)) {
        if (isCrasher(r) && "RestartScheduled".equals(r.get("type").asString()) && r.get("seq").asLong()
            < createdAfterRestart(readOnly).get("seq").asLong()) {
          lastScheduled = r;
        }
      }
      Instant due = Instant.parse(lastScheduled.get("at").asString())
          .plusMillis(lastScheduled.get("fact").get("delayMillis").asLong());
      Instant created = Instant.parse(createdAfterRestart(readOnly).get("at").asString());
      assertTrue(lastScheduled.get("fact").get("delayMillis").asLong() >= 10_000, lastScheduled.toString());
      assertFalse(created.isBefore(due.minusMillis(100)), "restarted at " + created + ", before its back-off ended at "
          + due);

      // Leave nothing running: removing the manifests stops and removes every pod.
      try (var files = Files.list(manifests)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      second.await("every pod gone", Duration.ofSeconds(90), () -> podItems(readOnly).isEmpty());
      assertEquals(0, second.terminate(Duration.ofSeconds(30)), second.output());
    }
  }

  private static boolean isCrasher(JsonNode record) {
    return !record.get("pod").isNull() && record.get("pod").asString().startsWith("default/crasher");
  }

  /** The first crasher ContainerCreated after the second AgentStarted, or null. */
  private JsonNode createdAfterRestart(int readOnly) {
    int starts = 0;
    for (JsonNode r : journal(readOnly)) {
      if ("AgentStarted".equals(r.get("type").asString())) {
        starts++;
      } else if (starts == 2 && isCrasher(r) && "ContainerCreated".equals(r.get("type").asString())) {
        return r;
      }
    }
    return null;
  }

  private static void writeManifest(Path folder, String name, String command) throws IOException {
    Path staging = folder.resolveSibling(name + ".yaml.tmp");
    Files.writeString(staging, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
          hostNetwork: true
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: localhost/busybox:1.35
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "%s"]
        """.formatted(name, command));
    Files.move(staging, folder.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The pods in /pods, or none while the port does not answer. */
  private List<JsonNode> podItems(int readOnly) {
    String body = get(readOnly, "/pods");
    List<JsonNode> out = new ArrayList<>();
    if (body.startsWith("{")) {
      JsonNode items = FactCodec.JSON.readTree(body).get("items");
      if (items != null) {
        items.forEach(out::add);
      }
    }
    return out;
  }

  private long runningSleepers(int readOnly) {
    return podItems(readOnly).stream()
        .filter(p -> p.get("metadata").get("name").asString().startsWith("sleeper-"))
        .filter(p -> "Running".equals(p.get("status").get("phase").asString()))
        .filter(p -> p.get("status").get("containerStatuses").get(0).get("state").has("running"))
        .count();
  }

  private Map<String, String> containerIds(int readOnly) {
    Map<String, String> ids = new java.util.TreeMap<>();
    podItems(readOnly).stream().filter(p -> p.get("metadata").get("name").asString().startsWith("sleeper-"))
        .forEach(p -> ids.put(p.get("metadata").get("name").asString(),
            p.get("status").get("containerStatuses").get(0).get("containerID").asString()));
    return ids;
  }

  /** The crasher's container status, or null before it shows. */
  private JsonNode crasher(int readOnly) {
    return podItems(readOnly).stream().filter(p -> p.get("metadata").get("name").asString().startsWith("crasher"))
        .map(p -> p.get("status").get("containerStatuses"))
        .filter(s -> s != null && !s.isEmpty()).map(s -> s.get(0)).findFirst().orElse(null);
  }

  private static String waitingReason(JsonNode status) {
    if (status == null || !status.get("state").has("waiting")) {
      return null;
    }
    return status.get("state").get("waiting").get("reason").asString();
  }

  private ChildJvm startAgent(Path config, String log) {
    return ChildJvm.start(dir.resolve(log), "io.vertlet.cli.VertletCommand", List.of("-Xmx96m"),
        "--config=" + config, "--root-dir=" + dir.resolve("root"), "--hostname-override=" + nodeName);
  }

  private Path writeConfig(int healthz, int readOnly, String runtimeEndpoint) throws IOException {
    Files.createDirectories(dir.resolve("manifests"));
    Path config = dir.resolve("kubelet.yaml");
    Files.writeString(config, """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        staticPodPath: manifests
        fileCheckFrequency: 1s
        address: 127.0.0.1
        readOnlyPort: %d
        healthzBindAddress: 127.0.0.1
        healthzPort: %d
        port: %d
        authentication:
          anonymous:
            enabled: true
          webhook:
            enabled: false
        authorization:
          mode: AlwaysAllow
        failSwapOn: false
        containerRuntimeEndpoint: %s
        """.formatted(readOnly, healthz, freePort(), runtimeEndpoint));
    return config;
  }

  /** The fact types the agent's /journal shows; empty while the read-only port does not answer yet. */
  private List<String> types(int readOnly) {
    List<String> out = new ArrayList<>();
    String body = get(readOnly, "/journal?since=1&limit=1000");
    if (body.startsWith("{")) {
      FactCodec.JSON.readTree(body).get("records").forEach(r -> out.add(r.get("type").asString()));
    }
    return out;
  }

  private JsonNode journal(int readOnly) {
    return FactCodec.JSON.readTree(get(readOnly, "/journal?since=1&limit=1000")).get("records");
  }

  private String get(int port, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "HTTP " + r.statusCode() + ": " + r.body();
    } catch (IOException e) {
      return "unreachable: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
