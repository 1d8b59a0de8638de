package io.vertlet.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.events.SourceFact.ManifestRejected;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 malformed manifests beside valid ones: each rejected exactly once with a reason naming what
 * is wrong, the valid pods added, the source still polling, and the heap not blown up.
 */
class MalformedManifestsTest {

  @TempDir Path dir;
  Vertx vertx;
  JournalRecorder journal;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    journal = new JournalRecorder(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A malformed manifest kind: its content for variant i and a fragment the reason must contain. */
  record Kind(String name, IntFunction<String> content, String expected) {}

  static String valid(String name) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name
        + "\nspec:\n  containers:\n  - name: c\n    image: busybox:1.35\n";
  }

  static String withSpec(int i, String spec) {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p" + i + "\nspec:\n" + spec;
  }

  static final List<Kind> KINDS = List.of(
      new Kind("unclosed-flow", i -> "apiVersion: v1\nkind: Pod\nmetadata: {name: p" + i + "\n", "not valid YAML at line"),
      new Kind("bad-indent", i -> "apiVersion: v1\nkind: Pod\n metadata:\n  name: p" + i + "\n   x: [\n", "not valid YAML"),
      new Kind("tab-indent", i -> "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: p" + i + "\n", "not valid YAML"),
      new Kind("duplicate-key", i -> valid("p" + i) + "kind: Pod\n", "found duplicate key kind"),
      new Kind("nul-character", i -> "apiVersion: v1\nkind: Pod\nmetadata: {name: \u0000p" + i + "}\n", "not valid YAML"),
      new Kind("empty", i -> i % 2 == 0 ? "" : "# only a comment " + i + "\n", "the manifest is empty"),
      new Kind("wrong-kind", i -> "apiVersion: v1\nkind: Service\nmetadata: {name: s" + i + "}\n", "kind: Unsupported value: \"Service\""),
      new Kind("deployment", i -> "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d" + i + "}\n", "\"Deployment\""),
      new Kind("no-kind", i -> "apiVersion: v1\nmetadata: {name: p" + i + "}\n", "kind: Required value"),
      new Kind("no-apiversion", i -> "kind: Pod\nmetadata: {name: p" + i + "}\n", "apiVersion: Required value"),
      new Kind("wrong-apiversion", i -> "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p" + i + "}\n", "apiVersion: Unsupported value: \"apps/v1\""),
      new Kind("scalar", i -> "just a string " + i + "\n", "expected a Kubernetes object"),
      new Kind("list", i -> "- " + i + "\n- b\n", "found a list"),
      new Kind("no-containers", i -> withSpec(i, "  containers: []\n"), "spec.containers: Required value"),
      new Kind("no-spec", i -> "apiVersion: v1\nkind: Pod\nmetadata: {name: p" + i + "}\n", "spec.containers: Required value"),
      new Kind("typo-containers", i -> withSpec(i, "  contianers:\n  - {name: c, image: busybox}\n"), "unknown fields ignored: spec.contianers"),
      new Kind("upper-name", i -> valid("Web" + i), "metadata.name: Invalid value: \"Web"),
      new Kind("underscore-name", i -> valid("web_" + i), "metadata.name: Invalid value: \"web_"),
      new Kind("long-name", i -> valid("n" + i + "x".repeat(300)), "metadata.name: Invalid value"),
      new Kind("no-name", i -> "apiVersion: v1\nkind: Pod\nmetadata: {labels: {i: '" + i + "'}}\nspec:\n  containers: [{name: c, image: b}]\n", "metadata.name: Required value"),
      new Kind("bad-namespace", i -> valid("p" + i).replace("metadata:\n", "metadata:\n  namespace: Kube_System\n"), "metadata.namespace: Invalid value: \"Kube_System\""),
      new Kind("bad-container-name", i -> withSpec(i, "  containers:\n  - {name: Main_" + i + ", image: busybox}\n"), "spec.containers[0].name: Invalid value: \"Main_"),
      new Kind("duplicate-container", i -> withSpec(i, "  initContainers:\n  - {name: c, image: busybox}\n  containers:\n  - {name: c, image: busybox}\n"), "spec.containers[0].name: Duplicate value: \"c\""),
      new Kind("no-image", i -> withSpec(i, "  containers:\n  - {name: c}\n"), "spec.containers[0].image: Required value"),
      new Kind("port-range", i -> withSpec(i, "  containers:\n  - name: c\n    image: busybox\n    ports: [{containerPort: " + (70000 + i) + "}]\n"), "containerPort: Invalid value: 700"),
      new Kind("port-type", i -> withSpec(i, "  containers:\n  - name: c\n    image: busybox\n    ports: [{containerPort: http" + i + "}]\n"), "spec.containers[0].ports[0].containerPort: Cannot deserialize"),
      new Kind("bad-protocol", i -> withSpec(i, "  containers:\n  - name: c\n    image: busybox\n    ports: [{containerPort: 80, protocol: HTTP}]\n"), "protocol: Unsupported value: \"HTTP\""),
      new Kind("restart-policy", i -> withSpec(i, "  restartPolicy: Sometimes\n  containers: [{name: c, image: busybox}]\n"), "spec.restartPolicy: Unsupported value: \"Sometimes\""),
      new Kind("containers-string", i -> withSpec(i, "  containers: busybox" + i + "\n"), "spec.containers: Cannot deserialize"),
      new Kind("missing-volume", i -> withSpec(i, "  containers:\n  - name: c\n    image: busybox\n    volumeMounts: [{name: data, mountPath: /d}]\n"), "volumeMounts[0].name: Not found: \"data\""),
      new Kind("bad-second-document", i -> valid("ok" + i) + "---\n" + "apiVersion: v1\nkind: Secret\n", "document 2: kind: Unsupported value: \"Secret\""),
      new Kind("podlist-with-service", i -> "apiVersion: v1\nkind: PodList\nitems:\n- {kind: Service, metadata: {name: s" + i + "}}\n", "items[0]: kind: Unsupported value"),
      new Kind("same-name-twice", i -> valid("twice" + i) + "---\n" + valid("twice" + i), "Duplicate value: \"twice"),
      new Kind("deep-nesting", i -> "apiVersion: v1\nkind: Pod\nmetadata: {name: p" + i + "}\nx: " + "[".repeat(200) + "]".repeat(200) + "\n", "not valid YAML"),
      new Kind("alias-bomb", MalformedManifestsTest::aliasBomb, "Number of aliases for non-scalar nodes exceeds the specified max=50"),
      new Kind("dup-of-valid", i -> valid("good-" + (i % 5)), "Duplicate value: pod default/good-" ));

  static String aliasBomb(int i) {
    StringBuilder b = new StringBuilder("apiVersion: v1\nkind: Pod\nmetadata: {name: bomb" + i + "}\n");
    b.append("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int level = 1; level < 10; level++) {
      b.append("a").append(level).append(": &a").append(level).append(" [");
      for (int k = 0; k < 9; k++) {
        b.append(k == 0 ? "" : ", ").append("*a").append(level - 1);
      }
      b.append("]\n");
    }
    return b.toString();
  }

  @Test
  void everyMalformedManifestIsRejectedOnceAndNothingElseIsAffected() throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long heapBefore = memory.getHeapMemoryUsage().getUsed();

    // Five valid pods, named so that they sort before the files duplicating them.
    for (int v = 0; v < 5; v++) {
      Files.writeString(dir.resolve("a-good-" + v + ".yaml"), valid("good-" + v));
    }
    Map<String, String> expected = new LinkedHashMap<>();
    // The 10 MB file: a syntactically valid pod with a huge annotation, never read.
    Path big = dir.resolve("b-big.yaml");
    try (OutputStream out = Files.newOutputStream(big)) {
      out.write((valid("big") + "  annotations:\n    blob: \"").getBytes(StandardCharsets.UTF_8));
      byte[] chunk = "x".repeat(1 << 16).getBytes(StandardCharsets.UTF_8);
      for (int k = 0; k <= 10_000_000 / chunk.length; k++) {
        out.write(chunk);
      }
      out.write("\"\n".getBytes(StandardCharsets.UTF_8));
    }
    expected.put(big.toString(), "over the " + ManifestSourceOptions.DEFAULT_MAX_MANIFEST_BYTES + "-byte limit");
    // A file of invalid UTF-8 bytes.
    Path binary = dir.resolve("b-binary.yaml");
    Files.write(binary, new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, 0x00});
    expected.put(binary.toString(), "not UTF-8 text");
    for (int i = 0; expected.size() < 100; i++) {
      Kind kind = KINDS.get(i % KINDS.size());
      Path file = dir.resolve(String.format("m-%03d-%s.%s", i, kind.name(), i % 3 == 0 ? "json" : "yaml"));
      Files.writeString(file, kind.content().apply(i));
      expected.put(file.toString(), kind.expected());
    }
    assertEquals(100, expected.size());

    // Deployment completes once the first scan is journaled.
    vertx.deployVerticle(new ManifestSourceVerticle(ManifestSourceOptions.forPath(dir.toString(), "node-a")
        .withFileCheckFrequency(Duration.ofMillis(100)))).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);

    Set<String> added = journal.all(PodAdded.class).stream().map(f -> f.pod().name()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("good-0-node-a", "good-1-node-a", "good-2-node-a", "good-3-node-a", "good-4-node-a"), added);

    List<ManifestRejected> rejected = journal.all(ManifestRejected.class);
    Map<String, ManifestRejected> byOrigin = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (ManifestRejected r : rejected) {
      if (byOrigin.put(r.origin(), r) != null) {
        problems.add("rejected twice: " + r.origin());
      }
      assertEquals("file", r.source());
    }
    expected.forEach((file, fragment) -> {
      ManifestRejected r = byOrigin.get(file);
      if (r == null) {
        problems.add("not rejected: " + file);
      } else if (!r.reason().contains(fragment)) {
        problems.add(file + ": reason \"" + r.reason() + "\" lacks \"" + fragment + "\"");
      } else if (r.reason().length() > 1200) {
        problems.add(file + ": reason is " + r.reason().length() + " characters long");
      }
    });
    if (System.getProperty("vertlet.test.dumpReasons") != null) {
      rejected.forEach(r -> System.out.println("REASON " + dir.relativize(Path.of(r.origin())) + " -> " + r.reason()));
    }
    assertEquals(List.of(), problems);
    assertEquals(105, journal.size(), "5 pods added and 100 rejections, nothing else");

    // Many more scans: nothing is journaled again.
    int before = journal.size();
    JournalRecorder.sleep(1000);
    assertEquals(List.of(), journal.since(before));

    // Still polling: a new valid manifest beside them is picked up.
    ManifestSourceVerticleTest.drop(dir, "z-late.yaml", valid("late"));
    journal.await(before, PodAdded.class, f -> f.pod().name().equals("late-node-a"));

    System.gc();
    long heapAfter = memory.getHeapMemoryUsage().getUsed();
    long growth = heapAfter - heapBefore;
    System.out.println("heap growth over the malformed-manifests run: " + growth / 1024 + " KiB");
    // The 10 MB file alone would be 10+ MB as bytes and ~20 MB as a String; the source keeps
    // only outcomes and digests. Generous bound: the loaded classes and Vert.x itself count too.
    assertTrue(growth < 24L * 1024 * 1024, "heap grew by " + growth / 1024 + " KiB");
  }

}
