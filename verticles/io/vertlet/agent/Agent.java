package io.vertlet.agent;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cli.VersionCommand;
import io.vertlet.config.ConfigResult;
import io.vertlet.cri.CriClient;
import io.vertlet.pleg.PlegVerticle;
import io.vertlet.pods.PodManagerOptions;
import io.vertlet.pods.PodManagerVerticle;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertlet.config.ConfigWatchVerticle;
import io.vertlet.config.KubeletConfig;
import io.vertlet.config.KubeletFlags;
import io.vertlet.events.AgentFact.AgentStarted;
import io.vertlet.events.AgentFact.AgentStopping;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.http.HealthzVerticle;
import io.vertlet.http.HttpOptions;
import io.vertlet.http.KubeletServerVerticle;
import io.vertlet.http.ReadOnlyServerVerticle;
import io.vertlet.journal.JournalOptions;
import io.vertlet.journal.JournalVerticle;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.ProjectionRecovery;
import io.vertlet.projection.ProjectionVerticle;
import io.vertlet.source.KnownStaticPod;
import io.vertlet.source.ManifestSourceOptions;
import io.vertlet.source.ManifestSourceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running vertlet: a Vert.x instance and its verticles, deployed in the order start-up needs
 * (journal, projection, HTTP, then the parts that append facts), and stopped in reverse.
 */
public final class Agent {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  static {
    // Netty registers its JFR events when it allocates its first buffer chunk, on the event loop:
    // that initialises the JDK's Flight Recorder (109 classes, seconds of CPU on a loaded machine,
    // observed blocking the loop for 7 s) for events nobody records. Off unless asked for.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    // Vert.x turns the PEM serving key into an in-memory PKCS#12 store and copies it once more into a
    // key manager's store, each time re-encrypting the key with the JDK's default 10,000 PBKDF2 rounds
    // and decrypting it again: ~130 ms of CPU at every start for stores that never leave this process.
    // The agent writes no PKCS#12 file itself (the self-signed pair is made by keytool in its own JVM,
    // and kept as PEM), and reading a store takes its count from the store, so one round is enough.
    if (System.getProperty("keystore.pkcs12.keyPbeIterationCount") == null) {
      System.setProperty("keystore.pkcs12.keyPbeIterationCount", "1");
    }
  }

  /** Facts between projection snapshots: bounds start-up to one snapshot plus this many facts. */
  static final long SNAPSHOT_EVERY = 10_000;

  /** How often PLEG relists the runtime, as upstream's generic PLEG. */
  static final Duration PLEG_PERIOD = Duration.ofSeconds(1);

  private final KubeletFlags flags;
  private final JournalOptions journal;
  private final KubeletConfig config;
  private final ConfigResult loaded;
  private final String nodeIp;
  private final Path podLogsDir;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<String> listening = new ArrayList<>();
  private Vertx vertx;
  private EmbeddedRuntime embedded;
  private CriClient cri;

  private Agent(KubeletFlags flags, ConfigResult loaded, JournalOptions journal) {
    this.flags = flags;
    this.journal = journal;
    this.loaded = loaded;
    this.config = loaded.config();
    this.nodeIp = config.nodeIP() != null && !config.nodeIP().isBlank() ? config.nodeIP() : NodeAddress.detect();
    this.podLogsDir = podLogsDir(config); // file system work: here on the caller's thread, not on an event loop
  }

  /** Starts an agent on a configuration that loaded without errors, with the journal as given. */
  public static Future<Agent> start(KubeletFlags flags, ConfigResult loaded, JournalOptions journal) {
    if (!loaded.valid()) {
      return Future.failedFuture(new IllegalArgumentException("invalid configuration: " + loaded.errors()));
    }
    Agent agent = new Agent(flags, loaded, journal);
    return agent.deploy().map(agent);
  }

  /** Where the HTTP servers listen, as {@code name address:port}. */
  public List<String> listening() {
    return List.copyOf(listening);
  }

  public Path rootDir() {
    return config.rootDir();
  }

  private Future<Void> deploy() {
    // One event loop: the agent's own CPU work is small, and every extra loop is a thread and memory.
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(8)
        .setInternalBlockingPoolSize(4));
    // Facts and Committed; every verticle registers the records it sends or replies with itself.
    LocalCodec.registerAll(vertx);
    Path journalDir = journal.journalDir();
    HttpOptions http = httpOptions();
    // The secure API may first have to generate its certificate (a keytool child JVM, ~2 s): it starts
    // beside everything else and is only waited for at the end, so pods do not wait for it.
    Promise<Void> secureApi = Promise.promise();
    // The runtime (the embedded one's state and socket, the CRI client) needs nothing from the journal:
    // it starts beside the journal, projection and HTTP servers instead of after them, so its class
    // loading and I/O overlap theirs (exec → first pod Running, docs/performance.md).
    Future<String> runtime = connectRuntime();
    return deploy(new JournalVerticle(journal, registry))
        .compose(v -> deploy(new ProjectionVerticle(() -> ProjectionRecovery.recover(journalDir), SNAPSHOT_EVERY)))
        // healthz and the read-only port only read the journal's health and the projection: side by side.
        .compose(v -> Future.all(deploy(new HealthzVerticle(http)), deploy(new ReadOnlyServerVerticle(http, registry, null))))
        .compose(v -> {
          deploy(new KubeletServerVerticle(http, registry, null)).onComplete(secureApi);
          return vertx.eventBus().<NodeState>request(Addresses.PROJECTION_NODE, "start");
        })
        .compose(recovered -> {
          NodeState state = recovered.body();
          recordListening(http);
          return runtime
              .compose(endpoint -> append(new AgentStarted(VersionCommand.VERSION, config.nodeName(), nodeIp,
                  config.rootDir().toString(), endpoint, ProcessHandle.current().pid(), state.seq(), listening())))
              .compose(c -> deploy(new ConfigWatchVerticle(flags, config, registry)))
              .compose(v -> deploy(new PlegVerticle(cri, PLEG_PERIOD, registry, RuntimeSeed.containers(state),
                  RuntimeSeed.sandboxes(state))))
              .compose(v -> deploy(new PodManagerVerticle(cri, registry, podOptions())))
              .compose(v -> deploy(new ManifestSourceVerticle(sourceOptions(state))))
              .compose(v -> secureApi.future());
        })
        .onSuccess(v -> log.info("vertlet {} running as node {} ({}); journal in {}; {}", VersionCommand.VERSION,
            config.nodeName(), nodeIp, journalDir, String.join(", ", listening)))
        .onFailure(e -> vertx.close());
  }

  /**
   * Journals {@code AgentStopping}, then closes Vert.x (every verticle stops, the journal syncs).
   * Blocking: call it from a thread that is not Vert.x's, such as a shutdown hook. The two steps are
   * awaited separately because a continuation chained onto an event-loop context cannot complete
   * once close has shut that loop down.
   */
  public void stop(String reason, Duration timeout) throws Exception {
    try {
      append(new AgentStopping(reason)).await(timeout.toMillis() / 4, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("could not journal AgentStopping: {}", e.getMessage());
    }
    if (cri != null) {
      cri.close();
    }
    if (embedded != null) {
      // Containers keep running under their supervisors; the next start adopts them.
      embedded.stop().await(timeout.toMillis() / 4, TimeUnit.MILLISECONDS);
    }
    vertx.close().await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the embedded runtime when the config asks for it (the default), then a CRI client on the
   * endpoint; the agent speaks CRI either way. Returns the endpoint in use.
   */
  private Future<String> connectRuntime() {
    Future<String> endpoint;
    if (config.embeddedRuntime()) {
      embedded = new EmbeddedRuntime(EmbeddedRuntime.defaultSocket(config.rootDir()),
          EmbeddedRuntime.defaultStateDir(config.rootDir()));
      endpoint = embedded.start(vertx).map(v -> embedded.endpoint());
    } else {
      endpoint = Future.succeededFuture(config.containerRuntimeEndpoint());
    }
    return endpoint.map(e -> {
      cri = CriClient.create(vertx, e, config.runtimeRequestTimeout(), registry);
      return e;
    });
  }

  private Future<Committed> append(Fact fact) {
    return vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, fact).map(m -> m.body());
  }

  private Future<Void> deploy(Deployable verticle) {
    return vertx.deployVerticle(verticle).mapEmpty();
  }

  private HttpOptions httpOptions() {
    KubeletConfig.Authentication authn = config.authentication();
    Path tlsCert = config.tlsCertFile() == null || config.tlsCertFile().isBlank() ? null : Path.of(config.tlsCertFile());
    Path tlsKey = config.tlsPrivateKeyFile() == null || config.tlsPrivateKeyFile().isBlank() ? null
        : Path.of(config.tlsPrivateKeyFile());
    String clientCa = authn.x509() == null ? null : authn.x509().clientCAFile();
    return new HttpOptions(config.nodeName(),
        config.healthzBindAddress(), config.healthzPort(),
        config.address(), config.readOnlyPort(),
        config.address(), config.port(),
        tlsCert, tlsKey, config.certDir(),
        new HttpOptions.Authentication(authn.anonymous().enabled(),
            clientCa == null || clientCa.isBlank() ? null : Path.of(clientCa), authn.webhook().enabled()),
        HttpOptions.AuthorizationMode.valueOf(config.authorization().mode()), null);
  }

  private void recordListening(HttpOptions http) {
    if (http.healthzPort() != 0) {
      listening.add("healthz http://" + http.healthzBindAddress() + ":" + http.healthzPort() + "/healthz");
    }
    if (http.readOnlyPort() != 0) {
      listening.add("read-only http://" + http.readOnlyAddress() + ":" + http.readOnlyPort() + "/pods");
    }
    if (http.port() != 0) {
      listening.add("kubelet API https://" + http.address() + ":" + http.port());
    }
  }

  private PodManagerOptions podOptions() {
    return PodManagerOptions.defaults(config.nodeName(), config.rootDir())
        .withNodeIp(nodeIp)
        .withPodLogsDir(podLogsDir)
        .withMaxPods(config.maxPods())
        .withSyncFrequency(config.syncFrequency());
  }

  /**
   * {@code podLogsDir} as configured (upstream default /var/log/pods); when it cannot be created, as
   * for a newcomer running {@code ./vertlet run} without root, the logs go under the root dir instead
   * of the pods failing to start.
   */
  private static Path podLogsDir(KubeletConfig config) {
    Path configured = Path.of(config.podLogsDir());
    try {
      java.nio.file.Files.createDirectories(configured);
      if (java.nio.file.Files.isWritable(configured)) {
        return configured;
      }
    } catch (java.io.IOException | SecurityException e) {
      // fall through to the root dir
    }
    Path fallback = config.rootDir().resolve("logs").resolve("pods");
    log.warn("podLogsDir {} is not writable; container logs go to {}", configured, fallback);
    return fallback;
  }

  private ManifestSourceOptions sourceOptions(NodeState state) {
    Map<String, KnownStaticPod> known = new LinkedHashMap<>();
    state.pods().forEach((uid, pod) -> {
      if (("file".equals(pod.source()) || "http".equals(pod.source())) && !pod.terminating()) {
        known.put(uid, new KnownStaticPod(pod.ref(), pod.source(), pod.origin(), pod.spec()));
      }
    });
    return new ManifestSourceOptions(config.staticPodPath(), config.fileCheckFrequency(), config.staticPodURL(),
        config.httpCheckFrequency(), config.staticPodURLHeader(), config.nodeName(), known,
        ManifestSourceOptions.DEFAULT_MAX_MANIFEST_BYTES, true);
  }
}
