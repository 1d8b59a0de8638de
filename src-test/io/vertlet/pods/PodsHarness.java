package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.ContainerFilter;
import io.vertlet.cri.v1.PodSandboxFilter;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.journal.JournalOptions;
import io.vertlet.journal.JournalVerticle;
import io.vertlet.journal.Recovery;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.ProjectionVerticle;
import io.vertlet.pleg.PlegVerticle;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertlet.testing.ContainerdTestbed;
import io.vertlet.testing.SocketProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assertions;

/**
 * One agent for the pod worker tests, made of the real parts: a Vert.x, the journal, the projection,
 * the pod manager, PLEG, and a runtime (the embedded one, or the containerd testbed).
 * {@link #restart()} is an agent restart: everything but the runtime's containers goes away and
 * comes back from the same root dir.
 */
final class PodsHarness implements AutoCloseable {

  static final String IMAGE = "localhost/busybox:1.35";

  final String runtimeName;
  final Path root;
  final String nodeName;
  final PodManagerOptions options;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<Committed> committed = new CopyOnWriteArrayList<>();
  private final boolean holdablePleg;
  /** The testbed's endpoint for a containerd harness, else null. */
  private final String containerdEndpoint;
  private Vertx vertx;
  private EmbeddedRuntime embedded;
  private CriClient cri;
  private String podManagerDeployment;
  /** PLEG's own way to the runtime when it can be held ({@link #holdPleg}), else null (it shares {@link #cri}). */
  private SocketProxy plegProxy;
  private CriClient plegCri;

  /** Targets: "embedded" always, "containerd" when the testbed endpoint is given (required under CI=true). */
  static List<String> runtimes() {
    return List.of("embedded", "containerd");
  }

  PodsHarness(String runtimeName, Path root, java.util.function.UnaryOperator<PodManagerOptions> tune) {
    this(runtimeName, root, tune, false);
  }

  /**
   * @param holdablePleg PLEG reaches the runtime through a proxy socket the test can hold ({@link #holdPleg}),
   *     to change the runtime between two relists
   */
  PodsHarness(String runtimeName, Path root, java.util.function.UnaryOperator<PodManagerOptions> tune,
      boolean holdablePleg) {
    this.holdablePleg = holdablePleg;
    this.runtimeName = runtimeName;
    this.root = root;
    this.nodeName = "pods-test-" + Long.toHexString(System.nanoTime());
    this.options = tune.apply(PodManagerOptions.defaults(nodeName, root).withNodeIp("127.0.0.1")
        .withBackoff(new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofMinutes(10))));
    // Before anything starts: fails under CI, aborts elsewhere, when the testbed is missing.
    this.containerdEndpoint = "containerd".equals(runtimeName) ? ContainerdTestbed.endpoint() : null;
    start();
  }

  private void start() {
    vertx = Vertx.vertx();
    LocalCodec.registerAll(vertx, NodeState.class);
    vertx.eventBus().<Committed>consumer(Addresses.JOURNAL_COMMITTED, m -> committed.add(m.body()));
    String endpoint;
    if ("embedded".equals(runtimeName)) {
      embedded = new EmbeddedRuntime(root.resolve("runtime/cri.sock"), root.resolve("runtime/state"));
      await(embedded.start(vertx));
      endpoint = embedded.endpoint();
    } else {
      endpoint = containerdEndpoint;
    }
    cri = CriClient.create(vertx, endpoint, Duration.ofSeconds(60), registry);
    Path journalDir = JournalOptions.defaults(root).journalDir();
    await(vertx.deployVerticle(new JournalVerticle(JournalOptions.defaults(root), registry)));
    await(vertx.deployVerticle(new ProjectionVerticle(() -> {
      NodeState[] s = {NodeState.EMPTY};
      if (java.nio.file.Files.isDirectory(journalDir)) {
        Recovery.load(journalDir).forEach(1, Long.MAX_VALUE, c -> s[0] = s[0].apply(c));
      }
      return s[0];
    }, 0)));
    podManagerDeployment = await(vertx.deployVerticle(new PodManagerVerticle(cri, registry, options)));
    // The real PLEG (relisting faster than the kubelet's 1 s to keep the tests short).
    CriClient plegClient = cri;
    if (holdablePleg) {
      Path socket = root.resolve("runtime/pleg-proxy.sock");
      await(vertx.fileSystem().mkdirs(socket.getParent().toString()));
      await(vertx.fileSystem().deleteRecursive(socket.toString()).recover(err -> Future.succeededFuture()));
      plegProxy = SocketProxy.start(vertx, socket, Path.of(endpoint.substring("unix://".length())));
      plegCri = CriClient.create(vertx, "unix://" + socket, Duration.ofSeconds(60), registry);
      plegClient = plegCri;
    }
    await(vertx.deployVerticle(new PlegVerticle(plegClient, Duration.ofMillis(200), registry)));
  }

  /**
   * PLEG relists no more (its requests wait) until {@link #releasePleg}: what the test does to the runtime
   * meanwhile is seen by one relist, as a change made between two relists of the kubelet. Waits a few relist
   * periods so that a relist already answered is reported before this returns.
   */
  void holdPleg() {
    if (plegProxy == null) {
      throw new IllegalStateException("this harness was made without holdablePleg");
    }
    plegProxy.hold();
    sleep(1_000);
  }

  void releasePleg() {
    plegProxy.release();
  }

  /** An agent restart: journal, projection, pod manager and the embedded runtime's server stop and start again. */
  void restart() {
    stopAgent();
    committed.clear();
    start();
  }

  Future<NodeState> state() {
    return vertx.eventBus().<NodeState>request(Addresses.PROJECTION_NODE, "test").map(m -> m.body());
  }

  NodeState stateNow() {
    return await(state());
  }

  Committed append(Fact f) {
    return await(vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, f).map(m -> m.body()));
  }

  PodRef add(Pod pod) {
    PodRef ref = new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
        pod.getMetadata().getUid());
    append(new PodAdded(ref, "file", root.resolve("manifests").resolve(ref.name() + ".yaml").toString(), pod));
    return ref;
  }

  void remove(PodRef ref) {
    append(new PodRemoved(ref, "file", "manifest removed"));
  }

  CriClient cri() {
    return cri;
  }

  /** Waits (generously: the machine is shared) until the node state satisfies {@code ok}. */
  NodeState awaitState(String what, Duration within, Predicate<NodeState> ok) {
    long deadline = System.nanoTime() + within.toNanos();
    NodeState s = null;
    while (System.nanoTime() < deadline) {
      s = stateNow();
      if (ok.test(s)) {
        return s;
      }
      sleep(50);
    }
    Assertions.fail("timed out after " + within + " waiting for " + what + "; pods now: " + (s == null ? null
        : s.pods()));
    return null;
  }

  /** Waits until a committed fact of {@code type} matches. */
  <T extends Fact> Committed awaitFact(Class<T> type, Predicate<T> match, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (Committed c : committed) {
        if (type.isInstance(c.fact()) && match.test(type.cast(c.fact()))) {
          return c;
        }
      }
      sleep(50);
    }
    Assertions.fail("timed out after " + within + " waiting for a " + type.getSimpleName() + "; journal: "
        + committed.stream().map(c -> io.vertlet.projection.Describe.line(c)).toList());
    return null;
  }

  <T extends Fact> List<T> facts(Class<T> type, PodRef pod) {
    return committed.stream().map(Committed::fact).filter(type::isInstance).map(type::cast)
        .filter(f -> pod == null || pod.equals(f.pod())).toList();
  }

  List<Committed> committedFor(PodRef pod) {
    return committed.stream().filter(c -> pod.equals(c.fact().pod())).toList();
  }

  /** Containers this test's node owns in the runtime. */
  List<io.vertlet.cri.v1.Container> runtimeContainers(String uid) {
    return await(cri.listContainers(ContainerFilter.newBuilder().putLabelSelector(CriRequests.POD_UID, uid).build()));
  }

  int runtimeSandboxes(String uid) {
    return await(cri.listPodSandbox(PodSandboxFilter.newBuilder().putLabelSelector(CriRequests.POD_UID, uid)
        .build())).size();
  }

  private void stopAgent() {
    if (plegProxy != null) {
      plegProxy.release();
      plegCri.close();
      await(plegProxy.close());
      plegProxy = null;
      plegCri = null;
    }
    if (embedded != null) {
      await(embedded.stop());
      embedded = null;
    }
    cri.close();
    await(vertx.close());
  }

  /** Removes everything this test's node made in the runtime, then stops. */
  @Override
  public void close() {
    try {
      // The agent first, so nothing restarts what is removed below.
      await(vertx.undeploy(podManagerDeployment));
      PodsHarness.sleep(200);
      var filter = ContainerFilter.newBuilder().putLabelSelector(PodManagerOptions.NODE_LABEL, nodeName).build();
      for (var c : await(cri.listContainers(filter))) {
        try {
          await(cri.stopContainer(c.getId(), 0));
          await(cri.removeContainer(c.getId()));
        } catch (RuntimeException e) {
          // gone meanwhile
        }
      }
      for (var sb : await(cri.listPodSandbox(PodSandboxFilter.newBuilder()
          .putLabelSelector(PodManagerOptions.NODE_LABEL, nodeName).build()))) {
        try {
          await(cri.stopPodSandbox(sb.getId()));
          await(cri.removePodSandbox(sb.getId()));
        } catch (RuntimeException e) {
          // gone meanwhile
        }
      }
    } finally {
      stopAgent();
    }
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  static ContainerExited exitOf(List<ContainerExited> exits, String containerId) {
    return exits.stream().filter(e -> e.containerId().equals(containerId)).findFirst().orElse(null);
  }
}
