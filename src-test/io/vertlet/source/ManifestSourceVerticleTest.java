package io.vertlet.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.vertlet.events.Fact;
import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.SourceFact;
import io.vertlet.events.SourceFact.ManifestRejected;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.events.SourceFact.PodUpdated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestSourceVerticleTest {

  static final String NODE = "Node-A";

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

  static String pod(String name, String command) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          labels: {app: %s}
        spec:
          containers:
          - name: main
            image: localhost/busybox:1.35
            command: [sh, -c, "%s"]
        """.formatted(name, name, command);
  }

  /** Writes beside, then renames into place: what operators (and the anchors) do. */
  static void drop(Path folder, String name, String content) throws IOException {
    Path tmp = folder.resolve("." + name + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
  }

  ManifestSourceOptions options(Path path, Duration every) {
    return ManifestSourceOptions.forPath(path.toString(), NODE).withFileCheckFrequency(every);
  }

  String deploy(ManifestSourceOptions options) throws Exception {
    return await(vertx.deployVerticle(new ManifestSourceVerticle(options)));
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Lets several periodic scans pass, then says whether anything new was journaled. */
  void assertQuietFor(Duration period, int from) {
    JournalRecorder.sleep(period.toMillis());
    assertEquals(List.of(), journal.since(from), "nothing should have been journaled");
  }

  @Test
  void aManifestRenamedIntoTheFolderIsAddedQuicklyWithTheStaticPodDefaults() throws Exception {
    // A long period: only the file watcher can make this fast.
    deploy(options(dir, Duration.ofSeconds(60)));
    assertEquals(0, journal.size());

    long start = System.nanoTime();
    drop(dir, "web.yaml", pod("web", "sleep 3600"));
    PodAdded added = journal.await(0, PodAdded.class, f -> true, Duration.ofSeconds(20));
    long millis = (System.nanoTime() - start) / 1_000_000;
    // Typically tens of milliseconds; the bound only proves the watcher, not the 60 s tick, did it
    // (the machine running the tests is shared and often loaded).
    assertTrue(millis < 20_000, "picked up after " + millis + " ms");
    System.out.println("manifest renamed in -> PodAdded journaled: " + millis + " ms");

    Pod spec = added.spec();
    String uid = spec.getMetadata().getUid();
    assertEquals("file", added.source());
    assertEquals(dir.resolve("web.yaml").toString(), added.origin());
    assertEquals("default", added.pod().namespace());
    assertEquals("web-node-a", added.pod().name());
    assertEquals(uid, added.pod().uid());
    assertTrue(uid.matches("[0-9a-f]{32}"), uid);
    assertEquals(StaticPodDefaults.uid(Map.of(), "file", "x", NODE).length(), uid.length());
    Map<String, String> annotations = spec.getMetadata().getAnnotations();
    assertEquals(uid, annotations.get("kubernetes.io/config.hash"));
    assertEquals("file", annotations.get("kubernetes.io/config.source"));
    assertNotNull(Instant.parse(annotations.get("kubernetes.io/config.seen")));
    assertEquals(NODE, spec.getSpec().getNodeName());
    assertEquals("Always", spec.getSpec().getRestartPolicy());
    assertEquals("ClusterFirst", spec.getSpec().getDnsPolicy());
    assertEquals(30L, spec.getSpec().getTerminationGracePeriodSeconds());
    Toleration toleration = spec.getSpec().getTolerations().get(0);
    assertEquals("Exists", toleration.getOperator());
    assertEquals("NoExecute", toleration.getEffect());
    Container main = spec.getSpec().getContainers().get(0);
    assertEquals("IfNotPresent", main.getImagePullPolicy());
    assertEquals("/dev/termination-log", main.getTerminationMessagePath());
    assertEquals("File", main.getTerminationMessagePolicy());
    assertEquals("Pending", spec.getStatus().getPhase());
    assertEquals(1, journal.size());
  }

  @Test
  void unchangedChangedAndRemovedManifests() throws Exception {
    drop(dir, "web.yaml", pod("web", "sleep 3600"));
    deploy(options(dir, Duration.ofMillis(100)));
    // The first scan is journaled before the deployment completes.
    assertEquals(1, journal.size());
    PodAdded first = (PodAdded) journal.facts().get(0);

    // Unchanged: many polls, nothing new. Rewriting identical content (a touch) changes nothing either.
    Files.writeString(dir.resolve("web.yaml"), pod("web", "sleep 3600"));
    assertQuietFor(Duration.ofMillis(600), 1);

    // Changed: the old pod is removed, then the new one (a new UID) added.
    drop(dir, "web.yaml", pod("web", "sleep 7200"));
    PodAdded second = journal.await(1, PodAdded.class, f -> true);
    List<Fact> change = journal.since(1);
    assertEquals(2, change.size(), change.toString());
    PodRemoved removed = (PodRemoved) change.get(0);
    assertEquals(first.pod(), removed.pod());
    assertTrue(removed.reason().contains("changed"), removed.reason());
    assertNotEquals(first.pod().uid(), second.pod().uid());
    assertEquals(first.pod().name(), second.pod().name());

    // Removed: the pod goes with its file.
    Files.delete(dir.resolve("web.yaml"));
    PodRemoved gone = journal.await(3, PodRemoved.class, f -> true);
    assertEquals(second.pod(), gone.pod());
    assertTrue(gone.reason().contains("web.yaml") && gone.reason().contains("removed"), gone.reason());
    assertQuietFor(Duration.ofMillis(400), 4);
  }

  @Test
  void factsTheJournalDidNotTakeArePlannedAgain() throws Exception {
    journal.close(); // no journal yet: every append fails
    drop(dir, "web.yaml", pod("web", "sleep 1"));
    drop(dir, "bad.yaml", "kind: Service\napiVersion: v1\n");
    deploy(options(dir, Duration.ofMillis(100)));
    JournalRecorder.sleep(300);
    JournalRecorder late = new JournalRecorder(vertx);
    late.await(0, PodAdded.class, f -> f.pod().name().equals("web-node-a"));
    late.await(0, ManifestRejected.class, f -> f.origin().endsWith("bad.yaml"));
    JournalRecorder.sleep(500);
    assertEquals(2, late.size(), late.facts().toString());
  }

  @Test
  void aFileAndTheUrlCannotDefineTheSamePod() throws Exception {
    drop(dir, "web.yaml", pod("web", "sleep 1"));
    HttpServer server = await(vertx.createHttpServer()
        .requestHandler(req -> req.response().end(pod("web", "sleep 2"))).listen(0, "127.0.0.1"));
    String url = "http://127.0.0.1:" + server.actualPort() + "/pods";
    deploy(options(dir, Duration.ofMillis(100)).withUrl(url, Duration.ofMillis(100), Map.of()));
    ManifestRejected rejected = journal.await(0, ManifestRejected.class, f -> true, Duration.ofSeconds(45));
    assertEquals("http", rejected.source());
    assertTrue(rejected.reason().contains("default/web-node-a is already defined by " + dir.resolve("web.yaml")),
        rejected.reason());
    assertQuietFor(Duration.ofMillis(500), 2);
    assertEquals(1, journal.all(PodAdded.class).size());
  }

  @Test
  void aTooLargeAnswerFromTheUrlIsRejectedWithoutBeingRead() throws Exception {
    HttpServer server = await(vertx.createHttpServer().requestHandler(req -> {
      req.response().setChunked(true);
      String chunk = "#".repeat(64 * 1024) + "\n";
      for (int i = 0; i < 40; i++) {
        req.response().write(chunk);
      }
      req.response().end();
    }).listen(0, "127.0.0.1"));
    String url = "http://127.0.0.1:" + server.actualPort() + "/big";
    deploy(new ManifestSourceOptions(null, null, url, Duration.ofMillis(200), Map.of(), NODE, Map.of(), 1 << 20, true));
    ManifestRejected rejected = journal.await(0, ManifestRejected.class, f -> true, Duration.ofSeconds(45));
    assertTrue(rejected.reason().contains("over the 1048576-byte limit"), rejected.reason());
    assertQuietFor(Duration.ofMillis(800), 1);
  }

  @Test
  void dotFilesMarkdownAndSubfoldersAreIgnored() throws Exception {
    Files.writeString(dir.resolve(".hidden.yaml"), pod("hidden", "sleep 1"));
    Files.writeString(dir.resolve("README.md"), "# Manifests\n\nNot a pod: a folder may carry its README.\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/nested.yaml"), pod("nested", "sleep 1"));
    Files.writeString(dir.resolve("a.yaml"), pod("a", "sleep 1"));
    deploy(options(dir, Duration.ofMillis(100)));
    assertEquals(List.of("a-node-a"), journal.all(PodAdded.class).stream().map(f -> f.pod().name()).toList());
    assertQuietFor(Duration.ofMillis(400), 1);
  }

  @Test
  void aConfigMapStyleSymlinkSwapIsNoticedAtOnce() throws Exception {
    // The layout kubelet gives a ConfigMap volume: versions in dot folders, "..data" pointing at
    // the current one, and each file a symlink through "..data".
    Files.createDirectories(dir.resolve("..v1"));
    Files.writeString(dir.resolve("..v1/web.yaml"), pod("web", "sleep 1"));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(dir.resolve("web.yaml"), Path.of("..data/web.yaml"));
    deploy(options(dir, Duration.ofSeconds(60)));
    assertEquals(1, journal.all(PodAdded.class).size());

    Files.createDirectories(dir.resolve("..v2"));
    Files.writeString(dir.resolve("..v2/web.yaml"), pod("web", "sleep 2"));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    PodAdded replaced = journal.await(1, PodAdded.class, f -> true, Duration.ofSeconds(20));
    assertEquals(dir.resolve("web.yaml").toString(), replaced.origin());
    assertTrue(journal.since(1).get(0) instanceof PodRemoved);
  }

  @Test
  void aSingleFileAsStaticPodPath() throws Exception {
    Path file = dir.resolve("only.yaml");
    Files.writeString(file, pod("only", "sleep 1"));
    Files.writeString(dir.resolve("other.yaml"), pod("other", "sleep 1"));
    deploy(options(file, Duration.ofSeconds(60)));
    assertEquals(List.of("only-node-a"), journal.all(PodAdded.class).stream().map(f -> f.pod().name()).toList());

    // The watcher notices a change of that file, and only of that file.
    drop(dir, "only.yaml", pod("only", "sleep 2"));
    journal.await(1, PodAdded.class, f -> f.pod().name().equals("only-node-a"), Duration.ofSeconds(20));
    Files.delete(file);
    journal.await(3, PodRemoved.class, f -> true, Duration.ofSeconds(20));
  }

  @Test
  void severalDocumentsJsonAndPodLists() throws Exception {
    Files.writeString(dir.resolve("multi.yaml"), pod("one", "sleep 1") + "---\n" + pod("two", "sleep 1") + "---\n");
    Files.writeString(dir.resolve("pod.json"), """
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "json", "namespace": "kube-system"},
         "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        """);
    Files.writeString(dir.resolve("list.yaml"), """
        apiVersion: v1
        kind: PodList
        items:
        - metadata: {name: l1}
          spec: {containers: [{name: c, image: busybox}]}
        - apiVersion: v1
          kind: Pod
          metadata: {name: l2}
          spec: {containers: [{name: c, image: busybox}]}
        """);
    deploy(options(dir, Duration.ofSeconds(60)));
    Map<String, PodAdded> byName = new HashMap<>();
    journal.all(PodAdded.class).forEach(f -> byName.put(f.pod().key(), f));
    assertEquals(5, byName.size(), byName.keySet().toString());
    assertTrue(byName.containsKey("default/one-node-a"));
    assertTrue(byName.containsKey("default/two-node-a"));
    assertTrue(byName.containsKey("default/l1-node-a"));
    assertTrue(byName.containsKey("default/l2-node-a"));
    PodAdded json = byName.get("kube-system/json-node-a");
    assertNotNull(json);
    assertEquals("Always", json.spec().getSpec().getContainers().get(0).getImagePullPolicy(), "no tag means latest");
  }

  @Test
  void afterARestartUnchangedPodsAreNotAddedAgainChangedReplacedVanishedRemoved() throws Exception {
    drop(dir, "keep.yaml", pod("keep", "sleep 1"));
    drop(dir, "change.yaml", pod("change", "sleep 1"));
    drop(dir, "vanish.yaml", pod("vanish", "sleep 1"));
    drop(dir, "own-uid.yaml", pod("own", "sleep 1").replace("  name: own\n", "  name: own\n  uid: own-1\n"));
    String id = deploy(options(dir, Duration.ofMillis(100)));
    assertEquals(4, journal.size());
    await(vertx.undeploy(id));

    // What the journal fold hands over at the next start, facts as read back from disk.
    List<Fact> stored = journal.facts().stream()
        .map(f -> FactCodec.decode(f.type(), FactTypes.version(f.getClass()), FactCodec.encode(f))).toList();
    Map<String, KnownStaticPod> known = KnownStaticPod.fold(stored);
    assertEquals(4, known.size());
    Map<String, PodAdded> before = new HashMap<>();
    journal.all(PodAdded.class).forEach(f -> before.put(f.pod().name(), f));

    // While the agent is down: one manifest changes, one disappears.
    drop(dir, "change.yaml", pod("change", "sleep 2"));
    Files.delete(dir.resolve("vanish.yaml"));

    deploy(options(dir, Duration.ofMillis(100)).withKnownPods(known));
    List<Fact> after = journal.since(4);
    assertEquals(3, after.size(), after.toString());
    assertTrue(after.contains(new PodRemoved(before.get("change-node-a").pod(), "file",
        "manifest " + dir.resolve("change.yaml") + " changed")), after.toString());
    assertTrue(after.contains(new PodRemoved(before.get("vanish-node-a").pod(), "file",
        "manifest " + dir.resolve("vanish.yaml") + " removed")), after.toString());
    PodAdded replaced = (PodAdded) after.stream().filter(PodAdded.class::isInstance).findFirst().orElseThrow();
    assertEquals("change-node-a", replaced.pod().name());
    assertQuietFor(Duration.ofMillis(400), 7);
  }

  @Test
  void knownPodsWithoutASourceAreRemovedWhenTheSourceIsDisabled() throws Exception {
    drop(dir, "web.yaml", pod("web", "sleep 1"));
    String id = deploy(options(dir, Duration.ofSeconds(60)));
    PodAdded added = journal.all(PodAdded.class).get(0);
    await(vertx.undeploy(id));
    ManifestSourceOptions disabled = new ManifestSourceOptions("", null, null, null, null, NODE,
        KnownStaticPod.fold(journal.facts()), 0, true);
    deploy(disabled);
    assertEquals(List.of(new PodRemoved(added.pod(), "file", "manifest " + added.origin() + " removed")),
        journal.since(1));
  }

  @Test
  void anInvalidEditKeepsTheLastGoodPodAndIsRejectedOnce() throws Exception {
    drop(dir, "web.yaml", pod("web", "sleep 1"));
    deploy(options(dir, Duration.ofMillis(100)));
    drop(dir, "web.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: web\n");
    ManifestRejected rejected = journal.await(1, ManifestRejected.class, f -> true);
    assertEquals(dir.resolve("web.yaml").toString(), rejected.origin());
    assertTrue(rejected.reason().startsWith("not valid YAML at line"), rejected.reason());
    assertTrue(rejected.reason().contains("keeping its 1 pod(s)"), rejected.reason());
    assertQuietFor(Duration.ofMillis(500), 2);
    // Fixed: the fixed content is a new pod.
    drop(dir, "web.yaml", pod("web", "sleep 5"));
    journal.await(2, PodAdded.class, f -> true);
  }

  @Test
  void aManifestWithItsOwnUidIsUpdatedInPlace() throws Exception {
    String withUid = pod("fixed", "sleep 1").replace("  name: fixed\n", "  name: fixed\n  uid: 1234-abcd\n");
    drop(dir, "fixed.yaml", withUid);
    deploy(options(dir, Duration.ofMillis(100)));
    assertEquals("1234-abcd", journal.all(PodAdded.class).get(0).pod().uid());
    drop(dir, "fixed.yaml", withUid.replace("sleep 1", "sleep 2"));
    PodUpdated updated = journal.await(1, PodUpdated.class, f -> true);
    assertEquals("1234-abcd", updated.pod().uid());
    assertEquals(1, journal.since(1).size());
  }

  @Test
  void twoFilesDefiningTheSamePodTheSecondIsRejectedNamingBoth() throws Exception {
    drop(dir, "a.yaml", pod("same", "sleep 1"));
    drop(dir, "b.yaml", pod("same", "sleep 2"));
    deploy(options(dir, Duration.ofMillis(100)));
    PodAdded added = journal.all(PodAdded.class).get(0);
    assertEquals(dir.resolve("a.yaml").toString(), added.origin());
    ManifestRejected rejected = journal.all(ManifestRejected.class).get(0);
    assertEquals(dir.resolve("b.yaml").toString(), rejected.origin());
    assertTrue(rejected.reason().contains("default/same-node-a") && rejected.reason().contains("a.yaml"),
        rejected.reason());
    // A newcomer sorting earlier does not steal the name from the running pod.
    drop(dir, "0.yaml", pod("same", "sleep 3"));
    journal.await(2, ManifestRejected.class, f -> f.origin().endsWith("0.yaml"));
    assertQuietFor(Duration.ofMillis(400), 3);
    // When the owner goes, the next in line takes over.
    Files.delete(dir.resolve("a.yaml"));
    journal.await(3, PodAdded.class, f -> f.origin().endsWith("0.yaml"));
  }

  @Test
  void theUidIsAFixedFunctionOfContentNodeAndPath() throws Exception {
    ManifestParser parser = new ManifestParser(1 << 20, "node-a");
    String path = "/etc/kubernetes/manifests/web.yaml";
    Pod yaml = parser.parse(pod("web", "sleep 3600").getBytes(StandardCharsets.UTF_8), "file", path).get(0);
    // Computed once with this implementation; it must never change, or every static pod restarts
    // on an agent upgrade.
    assertEquals("c449e8c790e9574244e2bb5cc49e1206", yaml.getMetadata().getUid());
    String json = """
        {"kind":"Pod","apiVersion":"v1","spec":{"containers":[{"command":["sh","-c","sleep 3600"],
         "image":"localhost/busybox:1.35","name":"main"}]},"metadata":{"labels":{"app":"web"},"name":"web"}}""";
    Pod fromJson = parser.parse(json.getBytes(StandardCharsets.UTF_8), "file", path).get(0);
    assertEquals(yaml.getMetadata().getUid(), fromJson.getMetadata().getUid(), "format and key order do not count");
    Pod otherNode = new ManifestParser(1 << 20, "node-b")
        .parse(pod("web", "sleep 3600").getBytes(StandardCharsets.UTF_8), "file", path).get(0);
    assertNotEquals(yaml.getMetadata().getUid(), otherNode.getMetadata().getUid());
  }

  @Test
  void staticPodUrlIsFetchedWithItsHeadersAndKeepsItsPodsWhenDown() throws Exception {
    AtomicReference<String> body = new AtomicReference<>(pod("remote", "sleep 1"));
    AtomicReference<Integer> status = new AtomicReference<>(200);
    AtomicReference<String> seenHeader = new AtomicReference<>();
    HttpServer server = await(vertx.createHttpServer().requestHandler(req -> {
      seenHeader.set(req.getHeader("X-Token"));
      req.response().setStatusCode(status.get()).end(body.get());
    }).listen(0, "127.0.0.1"));
    String url = "http://127.0.0.1:" + server.actualPort() + "/pods";
    ManifestSourceOptions options = new ManifestSourceOptions(null, null, url, Duration.ofMillis(100),
        Map.of("X-Token", List.of("s3cret")), NODE, Map.of(), 0, true);
    deploy(options);

    // Generous: the first fetch loads the HTTP client and the model classes, on a shared machine.
    PodAdded added = journal.await(0, PodAdded.class, f -> true, Duration.ofSeconds(45));
    assertEquals("http", added.source());
    assertEquals(url, added.origin());
    assertEquals("remote-node-a", added.pod().name());
    assertEquals("http", added.spec().getMetadata().getAnnotations().get("kubernetes.io/config.source"));
    assertTrue(added.spec().getSpec().getTolerations().isEmpty(), "upstream adds the toleration to file pods only");
    assertEquals("s3cret", seenHeader.get());
    assertQuietFor(Duration.ofMillis(400), 1);

    // Down: one rejection on the transition, the pod kept, however long it stays down.
    status.set(503);
    ManifestRejected down = journal.await(1, ManifestRejected.class, f -> true);
    assertEquals("http", down.source());
    assertTrue(down.reason().contains("503") && down.reason().contains("keeping"), down.reason());
    assertQuietFor(Duration.ofMillis(500), 2);

    // Back with a PodList of two pods: the old pod goes, two come.
    body.set("""
        {"apiVersion":"v1","kind":"PodList","items":[
          {"metadata":{"name":"r1"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}},
          {"metadata":{"name":"r2"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}]}""");
    status.set(200);
    journal.await(2, PodAdded.class, f -> f.pod().name().equals("r2-node-a"));
    List<Fact> back = journal.since(2);
    assertEquals(3, back.size(), back.toString());
    assertEquals(added.pod(), ((SourceFact.PodRemoved) back.get(0)).pod());

    // Garbage: rejected once, pods kept.
    body.set("kind: Service\napiVersion: v1\n");
    ManifestRejected garbage = journal.await(5, ManifestRejected.class, f -> true);
    assertTrue(garbage.reason().contains("Service"), garbage.reason());
    assertQuietFor(Duration.ofMillis(400), 6);
  }
}
