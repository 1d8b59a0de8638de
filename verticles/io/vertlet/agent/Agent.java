package io.vertlet.agent;

import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.cli.VersionCommand;
import io.vertlet.config.ConfigResult;
import io.vertlet.config.ConfigWatchVerticle;
import io.vertlet.config.KubeletConfig;
import io.vertlet.config.KubeletFlags;
import io.vertlet.events.AgentFact.AgentStarted;
import io.vertlet.events.AgentFact.AgentStopping;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.http.HealthzVerticle;
import io.vertlet.http.HttpOptions;
import io.vertlet.http.ReadOnlyServerVerticle;
import io.vertlet.journal.JournalHealth;
import io.vertlet.journal.JournalOptions;
import io.vertlet.journal.JournalPage;
import io.vertlet.journal.JournalReadRequest;
import io.vertlet.journal.JournalSnapshotRequest;
import io.vertlet.journal.JournalVerticle;
import io.vertlet.pleg.PlegHealth;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertlet.projection.ProjectionRecovery;
import io.vertlet.projection.ProjectionVerticle;
import io.vertlet.source.KnownStaticPod;
import io.vertlet.source.ManifestSourceOptions;
import io.vertlet.source.ManifestSourceVerticle;
import io.vertx.core.Future;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running vertlet: a Vert.x instance and its verticles, deployed in the order start-up needs
 * (journal, projection, HTTP, then the parts that append facts), and stopped in reverse.
 */
public final class Agent {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  /** Facts between projection snapshots: bounds start-up to one snapshot plus this many facts. */
  static final long SNAPSHOT_EVERY = 10_000;

  private final KubeletFlags flags;
  private final KubeletConfig config;
  private final ConfigResult loaded;
  private final String nodeIp;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<String> listening = new ArrayList<>();
  private Vertx vertx;

  private Agent(KubeletFlags flags, ConfigResult loaded) {
    this.flags = flags;
    this.loaded = loaded;
    this.config = loaded.config();
    this.nodeIp = config.nodeIP() != null && !config.nodeIP().isBlank() ? config.nodeIP() : NodeAddress.detect();
  }

  /** Starts an agent on a configuration that loaded without errors. */
  public static Future<Agent> start(KubeletFlags flags, ConfigResult loaded) {
    if (!loaded.valid()) {
      return Future.failedFuture(new IllegalArgumentException("invalid configuration: " + loaded.errors()));
    }
    Agent agent = new Agent(flags, loaded);
    return agent.deploy().map(agent);
  }

  public Vertx vertx() {
    return vertx;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
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
    LocalCodec.registerAll(vertx, NodeState.class, KubeletConfig.class, JournalHealth.class,
        JournalReadRequest.class, JournalPage.class, JournalSnapshotRequest.class, PlegHealth.class);
    JournalOptions journal = JournalOptions.defaults(config.rootDir());
    Path journalDir = journal.journalDir();
    HttpOptions http = httpOptions();
    return deploy(new JournalVerticle(journal, registry))
        .compose(v -> deploy(new ProjectionVerticle(() -> ProjectionRecovery.recover(journalDir), SNAPSHOT_EVERY)))
        .compose(v -> deploy(new HealthzVerticle(http)))
        .compose(v -> deploy(new ReadOnlyServerVerticle(http, registry, Agent::podList)))
        .compose(v -> vertx.eventBus().<NodeState>request(Addresses.PROJECTION_NODE, "start"))
        .compose(recovered -> {
          NodeState state = recovered.body();
          recordListening(http);
          return append(new AgentStarted(VersionCommand.VERSION, config.nodeName(), nodeIp,
              config.rootDir().toString(), config.containerRuntimeEndpoint(), ProcessHandle.current().pid(),
              state.seq(), listening()))
              .compose(c -> deploy(new ConfigWatchVerticle(flags, config, registry)))
              .compose(v -> deploy(new ManifestSourceVerticle(sourceOptions(state))));
        })
        .onSuccess(v -> log.info("vertlet {} running as node {} ({}); journal in {}; {}", VersionCommand.VERSION,
            config.nodeName(), nodeIp, journalDir, String.join(", ", listening)))
        .onFailure(e -> vertx.close());
  }

  /** Journals {@code AgentStopping} and stops every verticle, journal last. */
  public Future<Void> stop(String reason) {
    return append(new AgentStopping(reason))
        .otherwiseEmpty()
        .compose(v -> vertx.close());
  }

  private Future<Committed> append(Fact fact) {
    return vertx.eventBus().<Committed>request(Addresses.JOURNAL_APPEND, fact).map(m -> m.body());
  }

  private Future<Void> deploy(Deployable verticle) {
    return vertx.deployVerticle(verticle).mapEmpty();
  }

  private static PodList podList(Object projection) {
    return new PodListBuilder().withItems(PodStatusRenderer.pods((NodeState) projection)).build();
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
