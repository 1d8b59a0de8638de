package io.vertlet.http;

import static io.vertlet.http.HttpTesting.eventually;
import static io.vertlet.http.HttpTesting.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.ConfigView;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.AgentFact;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import io.vertlet.events.PodFact;
import io.vertlet.events.PodRef;
import io.vertlet.events.SourceFact;
import io.vertlet.projection.NodeState;
import io.vertlet.journal.JournalPage;
import io.vertlet.journal.JournalReadRequest;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class ReadOnlyPortTest {

  private static final PodRef WEB = new PodRef("default", "web", "uid-web");
  private static final PodRef DB = new PodRef("prod", "db", "uid-db");
  private static final int FOLLOW_BUFFER = 8;

  /** The projection reply in this test; the agent's NodeState plays this part. */
  record FakeNodeState(List<Pod> pods) {}

  /** The effective configuration as the config verticle would reply it. */
  record FakeConfig(Map<String, Object> toMap) implements ConfigView {}

  @TempDir Path dir;
  private Vertx vertx;
  private String base;
  private PrometheusMeterRegistry registry;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx, FakeNodeState.class, FakeConfig.class);
    int port = HttpTesting.freePort();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpOptions options = HttpOptions.defaults("node-a", dir)
        .withReadOnly("127.0.0.1", port)
        .withBusTimeout(Duration.ofSeconds(2));
    vertx.deployVerticle(new ReadOnlyServerVerticle(options, registry,
        body -> new PodListBuilder().withItems(((FakeNodeState) body).pods()).build(), FOLLOW_BUFFER)).await();
    base = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    registry.close();
  }

  @Test
  void metricsHaveTheKubeletAndPrometheusClientNames() {
    assertEquals(200, get(base + "/healthz").statusCode());
    assertEquals(404, get(base + "/wp-admin/setup.php").statusCode());
    HttpResponse<String> response = get(base + "/metrics");
    assertEquals(200, response.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
    String text = response.body();
    assertTrue(text.contains("kubelet_node_name{node=\"node-a\"} 1"), text);
    assertTrue(text.contains("# TYPE process_cpu_seconds_total counter"), text);
    for (String gauge : List.of("process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_start_time_seconds", "process_open_fds", "process_max_fds")) {
      assertTrue(text.contains("# TYPE " + gauge + " gauge"), gauge + " missing in\n" + text);
      double value = sample(text, gauge);
      assertTrue(value > 0, gauge + " = " + value);
    }
    double rss = sample(text, "process_resident_memory_bytes");
    assertTrue(rss > 10 * 1024 * 1024 && rss < sample(text, "process_virtual_memory_bytes"), "rss " + rss);
    double started = sample(text, "process_start_time_seconds");
    double now = System.currentTimeMillis() / 1000.0;
    assertTrue(started <= now && started > now - 3600, "start time " + started);
    assertTrue(sample(text, "process_cpu_seconds_total") > 0);
    assertTrue(text.contains("jvm_memory_used_bytes{"), "JVM memory metrics missing");
    assertTrue(text.contains("jvm_threads_live_threads"), "JVM thread metrics missing");
    assertTrue(text.contains("kubelet_http_requests_total{long_running=\"false\",method=\"GET\",path=\"healthz\","
        + "server_type=\"readonly\"} 1"), text);
    assertTrue(text.contains("kubelet_http_requests_total{long_running=\"false\",method=\"GET\",path=\"other\","
        + "server_type=\"readonly\"} 1"), text);
    assertTrue(text.contains("# TYPE kubelet_http_requests_duration_seconds histogram"), text);
    assertTrue(text.contains("kubelet_http_requests_duration_seconds_bucket{long_running=\"false\",method=\"GET\","
        + "path=\"healthz\",server_type=\"readonly\",le=\"0.005\"}"), text);

    for (String empty : List.of("/metrics/cadvisor", "/metrics/resource", "/metrics/probes")) {
      HttpResponse<String> r = get(base + empty);
      assertEquals(200, r.statusCode(), empty);
      assertEquals("", r.body(), empty);
    }
  }

  @Test
  void journalPagesComeFromTheJournalReader() {
    List<Committed> journal = new ArrayList<>();
    for (int seq = 1; seq <= 5; seq++) {
      journal.add(committed(seq, seq % 2 == 0
          ? new AgentFact.AgentStopping("test " + seq)
          : new PodFact.ContainerCreated(WEB, "nginx", "c" + seq, "nginx:1.27", seq)));
    }
    List<JournalReadRequest> asked = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JournalReadRequest>consumer(Addresses.JOURNAL_READ, msg -> {
      JournalReadRequest request = msg.body();
      asked.add(request);
      List<Committed> page = journal.stream().filter(c -> c.seq() >= request.sinceSeq()).limit(request.limit()).toList();
      msg.reply(new JournalPage(page, page.isEmpty() ? request.sinceSeq() : page.getLast().seq() + 1));
    });

    HttpResponse<String> response = get(base + "/journal?since=3&limit=2");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(new JournalReadRequest(3, 2), asked.getLast());
    JsonNode root = FactCodec.JSON.readTree(response.body());
    assertEquals(5, root.get("next").asLong());
    JsonNode records = root.get("records");
    assertEquals(2, records.size());
    JsonNode first = records.get(0);
    assertEquals(3, first.get("seq").asLong());
    assertEquals("ContainerCreated", first.get("type").asString());
    assertEquals("default/web", first.get("pod").asString());
    assertEquals(Instant.parse("2026-01-01T00:00:03Z"), Instant.parse(first.get("at").asString()));
    assertEquals("nginx", first.get("fact").get("container").asString());
    assertEquals("c3", first.get("fact").get("containerId").asString());
    JsonNode second = records.get(1);
    assertEquals("AgentStopping", second.get("type").asString());
    assertTrue(second.get("pod").isNull());
    assertEquals("test 4", second.get("fact").get("reason").asString());

    get(base + "/journal");
    assertEquals(new JournalReadRequest(0, JournalHandler.DEFAULT_LIMIT), asked.getLast());
  }

  @Test
  void badJournalParametersAre400NamingTheParameter() {
    vertx.eventBus().consumer(Addresses.JOURNAL_READ, msg -> msg.reply(new JournalPage(List.of(), 0)));
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("/journal?since=abc", "'since'");
    cases.put("/journal?since=-1", "'since'");
    cases.put("/journal?limit=0", "'limit'");
    cases.put("/journal?limit=100001", "'limit'");
    cases.put("/journal?limit=ten", "'limit'");
    cases.put("/journal/follow?pod=nameonly", "'pod'");
    cases.put("/journal/follow?type=NoSuchFact", "'type'");
    cases.forEach((path, param) -> {
      HttpResponse<String> response = get(base + path);
      assertEquals(400, response.statusCode(), path);
      assertTrue(response.body().contains(param), path + " -> " + response.body());
    });
  }

  @Test
  void journalWithoutAReaderIs503() {
    HttpResponse<String> response = get(base + "/journal");
    assertEquals(503, response.statusCode());
    assertTrue(response.body().contains("journal reader is not running"), response.body());
  }

  @Test
  void followStreamsCommittedFactsThroughItsFilters() throws Exception {
    HttpResponse<InputStream> response = HttpTesting.CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/journal/follow?pod=default/web&type=ContainerCreated,PodCleanedUp"))
            .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElse(""));
    try (BufferedReader lines = reader(response.body())) {
      publish(committed(1, new PodFact.ContainerCreated(DB, "pg", "c1", "postgres", 0)));   // other pod
      publish(committed(2, new AgentFact.AgentStopping("no pod")));                         // other type, no pod
      publish(committed(3, new PodFact.SandboxCreated(WEB, "s1", "10.0.0.2", 0)));          // other type
      publish(committed(4, new PodFact.ContainerCreated(WEB, "nginx", "c4", "nginx", 0)));  // match
      publish(committed(5, new PodFact.PodCleanedUp(WEB)));                                 // match

      JsonNode first = FactCodec.JSON.readTree(readLine(lines));
      assertEquals(4, first.get("seq").asLong());
      assertEquals("c4", first.get("fact").get("containerId").asString());
      JsonNode second = FactCodec.JSON.readTree(readLine(lines));
      assertEquals(5, second.get("seq").asLong());
      assertEquals("PodCleanedUp", second.get("type").asString());
    }
    // The client went away: its consumer must be gone too (a request now finds no handler at all).
    eventually("follower forgotten after client close", () -> followers() == 0);
  }

  @Test
  void followSpeaksServerSentEventsWhenAsked() throws Exception {
    HttpResponse<InputStream> response = HttpTesting.CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + "/journal/follow")).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    try (BufferedReader lines = reader(response.body())) {
      publish(committed(7, new PodFact.PodCleanedUp(WEB)));
      List<String> event = new ArrayList<>();
      while (event.size() < 3) {
        String line = readLine(lines);
        if (!line.isEmpty() && !line.startsWith(":")) {
          event.add(line);
        }
      }
      assertEquals("id: 7", event.get(0));
      assertEquals("event: PodCleanedUp", event.get(1));
      assertTrue(event.get(2).startsWith("data: {"), event.get(2));
      JsonNode data = FactCodec.JSON.readTree(event.get(2).substring("data: ".length()));
      assertEquals("default/web", data.get("pod").asString());
    }
  }

  @Test
  void aFollowerThatDoesNotReadIsDroppedWithALastLine() throws Exception {
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", URI.create(base).getPort()), 10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /journal/follow HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      eventually("follower connected", () -> followers() == 1);
      String big = "x".repeat(32 * 1024);
      // Far more than socket buffers hold while the client reads nothing.
      for (int seq = 1; seq <= 400 && followers() == 1; seq++) {
        publish(committed(seq, new AgentFact.AgentStopping(big)));
        if (seq % 10 == 0) {
          Thread.sleep(20); // a burst, not one flood the event loop must swallow in a single drain
        }
      }
      eventually("slow follower dropped", () -> followers() == 0);
      socket.setSoTimeout(20_000);
      BufferedReader lines = reader(socket.getInputStream());
      String last = null;
      String line;
      while (last == null && (line = lines.readLine()) != null) {
        if (line.contains("client too slow")) {
          last = line;
        }
      }
      assertNotNull(last, "no 'client too slow' line before the connection closed");
      assertTrue(last.contains("resume with /journal?since="), last);
      assertFalse(last.contains("\"lastSeq\":-1"), "records were sent before the drop: " + last);
    }
  }

  @Test
  void configzWrapsTheEffectiveConfig() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("kind", "KubeletConfiguration");
    config.put("readOnlyPort", 10255);
    config.put("staticPodPath", "/etc/kubernetes/manifests");
    vertx.eventBus().consumer(Addresses.CONFIG_CURRENT, msg -> msg.reply(new FakeConfig(config)));
    HttpResponse<String> response = get(base + "/configz");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode root = FactCodec.JSON.readTree(response.body());
    assertEquals(10255, root.get("kubeletconfig").get("readOnlyPort").asInt());
    assertEquals("/etc/kubernetes/manifests", root.get("kubeletconfig").get("staticPodPath").asString());
  }

  @Test
  void podsIsAV1PodListFromTheProjection() {
    Pod pod = new PodBuilder().withNewMetadata().withNamespace("default").withName("web").withUid("uid-web")
        .endMetadata().withNewSpec().withNodeName("node-a").addNewContainer().withName("nginx").withImage("nginx")
        .endContainer().endSpec().withNewStatus().withPhase("Running").endStatus().build();
    vertx.eventBus().consumer(Addresses.PROJECTION_NODE, msg -> msg.reply(new FakeNodeState(List.of(pod))));
    HttpResponse<String> response = get(base + "/pods");
    assertEquals(200, response.statusCode(), response.body());
    JsonNode root = FactCodec.JSON.readTree(response.body());
    assertEquals("PodList", root.get("kind").asString());
    assertEquals("v1", root.get("apiVersion").asString());
    JsonNode item = root.get("items").get(0);
    assertEquals("web", item.get("metadata").get("name").asString());
    assertEquals("node-a", item.get("spec").get("nodeName").asString());
    assertEquals("Running", item.get("status").get("phase").asString());
    PodList parsed = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(response.body(), PodList.class);
    assertEquals(pod.getSpec(), parsed.getItems().getFirst().getSpec());
  }

  @Test
  void podsRendersTheNodeProjectionByDefault() {
    LocalCodec.registerAll(vertx, NodeState.class);
    Pod spec = new PodBuilder().withNewMetadata().withNamespace("default").withName("web").withUid("uid-web")
        .endMetadata().withNewSpec().addNewContainer().withName("nginx").withImage("nginx").endContainer().endSpec()
        .build();
    NodeState state = NodeState.EMPTY.apply(committed(1, new SourceFact.PodAdded(WEB, "file", "web.yaml", spec)));
    vertx.eventBus().consumer(Addresses.PROJECTION_NODE, msg -> msg.reply(state));
    int port = HttpTesting.freePort();
    HttpOptions options = HttpOptions.defaults("node-b", dir).withReadOnly("127.0.0.1", port);
    vertx.deployVerticle(new ReadOnlyServerVerticle(options, registry, null)).await();

    HttpResponse<String> response = get("http://127.0.0.1:" + port + "/pods");
    assertEquals(200, response.statusCode(), response.body());
    PodList pods = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(response.body(), PodList.class);
    assertEquals("PodList", pods.getKind());
    assertEquals(1, pods.getItems().size());
    Pod pod = pods.getItems().getFirst();
    assertEquals("web", pod.getMetadata().getName());
    assertEquals("nginx", pod.getSpec().getContainers().getFirst().getImage());
    assertNotNull(pod.getStatus().getPhase(), response.body());
  }

  @Test
  void podsWithoutAProjectionIs503AndUnknownPathsAre404() {
    assertEquals(503, get(base + "/pods").statusCode());
    HttpResponse<String> missing = get(base + "/stats/summary");
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().contains("/stats/summary"), missing.body());
  }

  /** The value of an unlabelled sample line {@code name value} in the exposition. */
  private static double sample(String exposition, String name) {
    return exposition.lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no sample " + name + " in\n" + exposition));
  }

  private void publish(Committed committed) {
    vertx.eventBus().publish(Addresses.JOURNAL_COMMITTED, committed);
  }

  /** Connected followers, as the server counts them in its own gauge. */
  private int followers() {
    return (int) registry.get("vertlet.http.journal.followers").tag("server", "readonly").gauge().value();
  }

  private static Committed committed(long seq, Fact fact) {
    return new Committed(seq, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(seq), fact);
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** Reads one line within a deadline, so a missing fact fails the test instead of hanging it. */
  private static String readLine(BufferedReader reader) throws Exception {
    String line = CompletableFuture.supplyAsync(() -> {
      try {
        return reader.readLine();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).get(20, TimeUnit.SECONDS);
    assertNotNull(line, "stream ended");
    return line;
  }
}
