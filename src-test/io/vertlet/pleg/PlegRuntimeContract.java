package io.vertlet.pleg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.ContainerConfig;
import io.vertlet.cri.v1.ContainerMetadata;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.LinuxPodSandboxConfig;
import io.vertlet.cri.v1.LinuxSandboxSecurityContext;
import io.vertlet.cri.v1.NamespaceMode;
import io.vertlet.cri.v1.NamespaceOption;
import io.vertlet.cri.v1.PodSandboxConfig;
import io.vertlet.cri.v1.PodSandboxMetadata;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerRemoved;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.RuntimeFact.RuntimeReachabilityChanged;
import io.vertlet.events.RuntimeFact.SandboxChanged;
import io.vertlet.testing.SocketProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PLEG against a real CRI runtime (one subclass per runtime): pods are made through CRI, facts are
 * collected from a journal stand-in on {@code JOURNAL_APPEND} that commits each fact in order.
 */
abstract class PlegRuntimeContract {

  static final Duration PERIOD = Duration.ofMillis(200);
  static final Duration DEADLINE = Duration.ofSeconds(60);
  String endpoint;

  Vertx vertx;
  CriClient cri;
  PrometheusMeterRegistry registry;
  final List<Fact> journal = new CopyOnWriteArrayList<>();
  /** How many of the next appends the journal stand-in refuses, as a journal that cannot write. */
  final java.util.concurrent.atomic.AtomicInteger refuseAppends = new java.util.concurrent.atomic.AtomicInteger();
  final Set<String> sandboxes = ConcurrentHashMap.newKeySet();
  /** containerd 1.6 crashes on CreateContainer without the sandbox config; the kubelet always sends it. */
  final Map<String, PodSandboxConfig> sandboxConfigs = new ConcurrentHashMap<>();
  Path tmp;

  /** Starts (or finds) the runtime and returns its socket. */
  abstract Path startRuntime(Vertx vertx, Path tmp) throws Exception;

  /** Whatever the runtime needs before containers can be made from the busybox image. */
  abstract void prepare(CriClient cri) throws Exception;

  abstract void stopRuntime() throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx, PlegHealth.class);
    AtomicLong seq = new AtomicLong();
    vertx.eventBus().<Fact>consumer(Addresses.JOURNAL_APPEND, msg -> {
      if (refuseAppends.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        msg.fail(500, "journal cannot write");
        return;
      }
      journal.add(msg.body());
      msg.reply(new Committed(seq.incrementAndGet(), Instant.now(), msg.body()));
    }).completion().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    tmp = Files.createTempDirectory("pleg-test");
    endpoint = "unix://" + startRuntime(vertx, tmp);
    cri = CriClient.create(vertx, endpoint, Duration.ofSeconds(30), registry);
    prepare(cri);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (String id : sandboxes) {
      try {
        await(cri.stopPodSandbox(id).compose(v -> cri.removePodSandbox(id)));
      } catch (Exception e) {
        System.err.println("cleanup of sandbox " + id + " failed: " + e);
      }
    }
    if (cri != null) { // null when set-up was aborted (no containerd outside CI)
      cri.close();
    }
    stopRuntime();
    await(vertx.close());
    try (var paths = Files.walk(tmp)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void containerStartExitAndRemovalBecomeFactsInOrder() throws Exception {
    PodRef pod = newPod("exits");
    String sandbox = runSandbox(pod);
    deploy(new PlegVerticle(cri, PERIOD, registry));
    awaitFact(f -> f instanceof SandboxChanged s && s.sandboxId().equals(sandbox) && s.state().equals("READY"));

    String container = await(cri.createContainer(sandbox, busybox(pod, "app", "sleep 1; exit 3"), sandboxConfigs.get(sandbox)));
    await(cri.startContainer(container));
    ContainerExited exited = (ContainerExited) awaitFact(f -> f instanceof ContainerExited e
        && e.containerId().equals(container));
    assertEquals(3, exited.exitCode());
    assertEquals("Error", exited.reason());
    assertEquals(pod, exited.pod());
    assertEquals("app", exited.container());
    assertNotNull(exited.startedAt());
    assertNotNull(exited.finishedAt());
    assertFalse(exited.finishedAt().isBefore(exited.startedAt()), exited.toString());

    await(cri.removeContainer(container));
    awaitFact(f -> f instanceof ContainerRemoved r && r.containerId().equals(container));
    await(cri.stopPodSandbox(sandbox));
    awaitFact(f -> f instanceof SandboxChanged s && s.sandboxId().equals(sandbox) && s.state().equals("NOTREADY"));
    await(cri.removePodSandbox(sandbox));
    sandboxes.remove(sandbox);
    awaitFact(f -> f instanceof SandboxChanged s && s.sandboxId().equals(sandbox) && s.state().equals("REMOVED"));

    List<Fact> mine = factsOf(pod, sandbox);
    assertEquals(List.of(
        new SandboxChanged(pod, sandbox, "READY"),
        new ContainerStarted(pod, "app", container, exited.startedAt()),
        exited,
        new ContainerRemoved(pod, "app", container),
        new SandboxChanged(pod, sandbox, "NOTREADY"),
        new SandboxChanged(pod, sandbox, "REMOVED")), mine);
  }

  @Test
  void factsTheJournalRefusedAreReportedLaterExactlyOnceInOrder() throws Exception {
    PodRef pod = newPod("refused");
    String sandbox = runSandbox(pod);
    String container = await(cri.createContainer(sandbox, busybox(pod, "app", "exit 0"), sandboxConfigs.get(sandbox)));
    await(cri.startContainer(container));
    refuseAppends.set(3);
    deploy(new PlegVerticle(cri, PERIOD, registry));
    ContainerExited exited = (ContainerExited) awaitFact(f -> f instanceof ContainerExited e
        && e.containerId().equals(container));
    assertEquals(0, refuseAppends.get(), "the refusals were used up");
    assertEquals(0, exited.exitCode());
    assertEquals("Completed", exited.reason());
    Thread.sleep(PERIOD.toMillis() * 3);
    assertEquals(List.of(
        new SandboxChanged(pod, sandbox, "READY"),
        new ContainerStarted(pod, "app", container, exited.startedAt()),
        exited), factsOf(pod, sandbox));
  }

  @Test
  void aSeededRunningContainerIsNotReportedAgainButItsExitIs() throws Exception {
    PodRef pod = newPod("seeded");
    String sandbox = runSandbox(pod);
    String known = await(cri.createContainer(sandbox, busybox(pod, "known", "sleep 3600"), sandboxConfigs.get(sandbox)));
    await(cri.startContainer(known));
    String fresh = await(cri.createContainer(sandbox, busybox(pod, "fresh", "sleep 3600"), sandboxConfigs.get(sandbox)));
    await(cri.startContainer(fresh));

    PlegVerticle pleg = new PlegVerticle(cri, PERIOD, registry,
        Map.of(known, ContainerState.CONTAINER_RUNNING), Map.of(sandbox, io.vertlet.cri.v1.PodSandboxState.SANDBOX_READY));
    deploy(pleg);
    awaitFact(f -> f instanceof ContainerStarted s && s.containerId().equals(fresh));
    await(cri.stopContainer(known, 0));
    ContainerExited exited = (ContainerExited) awaitFact(f -> f instanceof ContainerExited e
        && e.containerId().equals(known));
    assertEquals(137, exited.exitCode(), exited.toString());
    assertEquals(pod, exited.pod());
    List<Fact> mine = factsOf(pod, sandbox);
    assertEquals(2, mine.size(), "only the fresh start and the known exit: " + mine);
  }

  @Test
  void healthAndMetricsAfterRelists() throws Exception {
    Instant before = Instant.now();
    deploy(new PlegVerticle(cri, PERIOD, registry));
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    PlegHealth health;
    // A PLEG that just started is healthy before its first relist (lastRelist null): wait for one.
    do {
      Thread.sleep(50);
      health = (PlegHealth) await(vertx.eventBus().request(Addresses.PLEG_HEALTH, "")).body();
    } while ((!health.healthy() || health.lastRelist() == null) && System.nanoTime() < deadline);
    assertTrue(health.healthy(), health.toString());
    assertNotNull(health.lastRelist(), "no relist within the deadline: " + health);
    assertFalse(health.lastRelist().isBefore(before.minusSeconds(1)), health.toString());

    // At least two relists, so an interval was observed too.
    deadline = System.nanoTime() + DEADLINE.toNanos();
    String scrape;
    do {
      Thread.sleep(100);
      scrape = registry.scrape();
    } while (!scrape.contains("kubelet_pleg_relist_interval_seconds_count 1")
        && !scrape.matches("(?s).*kubelet_pleg_relist_interval_seconds_count [1-9].*") && System.nanoTime() < deadline);
    assertTrue(scrape.matches("(?s).*kubelet_pleg_relist_duration_seconds_count [1-9].*"), scrape);
    assertTrue(scrape.matches("(?s).*kubelet_pleg_relist_interval_seconds_count [1-9].*"), scrape);
    assertTrue(scrape.contains("kubelet_pleg_relist_duration_seconds_bucket{le=\"0.005\"}"), scrape);
    assertTrue(scrape.contains("kubelet_pleg_relist_interval_seconds_bucket{le=\"10.0\"}"), scrape);
    String lastSeen = scrape.lines().filter(l -> l.startsWith("kubelet_pleg_last_seen_seconds ")).findFirst()
        .orElseThrow(() -> new AssertionError("no kubelet_pleg_last_seen_seconds in " + registry.scrape()));
    double seconds = Double.parseDouble(lastSeen.substring(lastSeen.indexOf(' ') + 1));
    assertTrue(seconds >= before.getEpochSecond() - 1 && seconds <= Instant.now().getEpochSecond() + 1, lastSeen);
  }

  @Test
  void runtimeGoingAwayAndComingBackIsJournaledOnce() throws Exception {
    // A proxy socket in front of containerd stands for the runtime: closing it is the runtime stopping.
    Path socket = tmp.resolve("runtime.sock");
    CriClient viaProxy = CriClient.create(vertx, "unix://" + socket, Duration.ofSeconds(30), registry);
    PlegVerticle pleg = new PlegVerticle(viaProxy, PERIOD, registry, Map.of(), Map.of(), Duration.ofSeconds(2),
        Clock.systemUTC());
    deploy(pleg);
    RuntimeReachabilityChanged down = (RuntimeReachabilityChanged) awaitFact(
        f -> f instanceof RuntimeReachabilityChanged r && !r.reachable());
    assertEquals("unix://" + socket, down.endpoint());
    assertTrue(down.message().contains(socket.toString()), down.message());
    // Not yet unhealthy at first: a PLEG gets the threshold (2 s here) from its start for a first relist.
    long graceEnds = System.nanoTime() + DEADLINE.toNanos();
    while (pleg.health().healthy() && System.nanoTime() < graceEnds) {
      Thread.sleep(100);
    }
    assertEquals("PLEG is not healthy: pleg has yet to be successful", pleg.health().message());

    SocketProxy proxy = SocketProxy.start(vertx, socket, Path.of(endpoint.substring("unix://".length())));
    awaitFact(f -> f instanceof RuntimeReachabilityChanged r && r.reachable());
    assertTrue(pleg.health().healthy(), pleg.health().toString());

    await(proxy.close());
    Files.deleteIfExists(socket);
    awaitFact(f -> reachabilityFacts().size() == 3);
    assertEquals(List.of(false, true, false), reachabilityFacts().stream().map(RuntimeReachabilityChanged::reachable).toList());
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (pleg.health().healthy() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(pleg.health().message().startsWith("PLEG is not healthy: pleg was last seen active "),
        pleg.health().message());
    assertTrue(pleg.health().message().endsWith(" ago; threshold is 2s"), pleg.health().message());
    Thread.sleep(PERIOD.toMillis() * 3);
    assertEquals(3, reachabilityFacts().size(), "no repeat while it stays away: " + journal);
    viaProxy.close();
  }

  // ------------------------------------------------------------------------------ helpers

  List<RuntimeReachabilityChanged> reachabilityFacts() {
    return journal.stream().filter(RuntimeReachabilityChanged.class::isInstance)
        .map(RuntimeReachabilityChanged.class::cast).toList();
  }

  PodRef newPod(String name) {
    return new PodRef("pleg-test", name, UUID.randomUUID().toString());
  }

  String runSandbox(PodRef pod) throws Exception {
    PodSandboxConfig config = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName(pod.name()).setNamespace(pod.namespace())
            .setUid(pod.uid()))
        // Host network: no CNI involved, and the hostname must stay empty (no UTS namespace).
        .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
            .setNamespaceOptions(NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE))))
        .putLabels("io.kubernetes.pod.name", pod.name())
        .putLabels("io.kubernetes.pod.namespace", pod.namespace())
        .putLabels("io.kubernetes.pod.uid", pod.uid())
        .build();
    String id = await(cri.runPodSandbox(config, null));
    sandboxes.add(id);
    sandboxConfigs.put(id, config);
    return id;
  }

  static ContainerConfig busybox(PodRef pod, String name, String script) {
    return ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setImage(CriClient.image("localhost/busybox:1.35"))
        .addCommand("sh").addArgs("-c").addArgs(script)
        .putLabels("io.kubernetes.pod.name", pod.name())
        .putLabels("io.kubernetes.pod.namespace", pod.namespace())
        .putLabels("io.kubernetes.pod.uid", pod.uid())
        .putLabels("io.kubernetes.container.name", name)
        .build();
  }

  List<Fact> factsOf(PodRef pod, String sandbox) {
    return journal.stream().filter(f -> switch (f) {
      case RuntimeFact.SandboxChanged s -> s.sandboxId().equals(sandbox);
      case RuntimeFact.ContainerStarted s -> pod.equals(s.pod());
      case RuntimeFact.ContainerExited e -> pod.equals(e.pod());
      case RuntimeFact.ContainerRemoved r -> pod.equals(r.pod());
      default -> false;
    }).toList();
  }

  void deploy(PlegVerticle pleg) throws Exception {
    await(vertx.deployVerticle(pleg));
  }

  Fact awaitFact(Predicate<Fact> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (Fact f : journal) {
        if (wanted.test(f)) {
          return f;
        }
      }
      Thread.sleep(20);
    }
    fail("no such fact within " + DEADLINE + "; journal: " + journal);
    return null;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }
}
