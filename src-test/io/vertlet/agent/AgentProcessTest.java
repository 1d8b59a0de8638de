package io.vertlet.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.FactCodec;
import io.vertlet.testing.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The agent as an operator runs it: a separate process, real ports, signals, and its journal on disk. */
class AgentProcessTest {

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void startsJournalsItsLifeAndRecoversAfterKillNine() throws Exception {
    int healthz = freePort();
    int readOnly = freePort();
    Path config = writeConfig(healthz, readOnly);

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
    var out = new java.io.StringWriter();
    var cli = io.vertlet.cli.VertletCommand.commandLine();
    cli.setOut(new java.io.PrintWriter(out));
    assertEquals(0, cli.execute("journal", "cat", "--dir", dir.resolve("root").toString()));
    for (String line : out.toString().split("\n")) {
      types.add(FactCodec.JSON.readTree(line).get("type").asString());
    }
    assertEquals("AgentStopping", types.getLast(), "SIGTERM is journaled as the last fact: " + types);
    assertEquals(0, io.vertlet.cli.VertletCommand.commandLine().execute("journal", "verify", "--dir",
        dir.resolve("root").toString()));
  }

  private ChildJvm startAgent(Path config, String log) {
    return ChildJvm.start(dir.resolve(log), "io.vertlet.cli.VertletCommand", List.of("-Xmx96m"),
        "--config=" + config, "--root-dir=" + dir.resolve("root"), "--hostname-override=test-node");
  }

  private Path writeConfig(int healthz, int readOnly) throws IOException {
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
        containerRuntimeEndpoint: embedded
        """.formatted(readOnly, healthz, freePort()));
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
