package io.vertlet.http;

import io.fabric8.kubernetes.api.model.PodList;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.bus.LocalCodec;
import io.vertlet.journal.JournalHealth;
import io.vertlet.journal.JournalPage;
import io.vertlet.journal.JournalReadRequest;
import io.vertlet.pleg.PlegHealth;
import io.vertlet.projection.NodeState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.util.function.Function;

/**
 * A server for the kubelet routes ({@link KubeletRoutes}): what the read-only port and the secure
 * API share. Subclasses decide how to listen (plain, or TLS with authentication in front).
 */
abstract class KubeletRoutesServer extends VerticleBase {

  final HttpOptions options;
  final PrometheusMeterRegistry registry;
  private final Function<Object, PodList> podRenderer;
  private final int followBuffer;
  private HttpServer server;
  private JournalFollowHandler follow;

  /**
   * @param podRenderer turns the reply of {@code PROJECTION_NODE} into a PodList; null renders the
   *                    projection's {@code NodeState} with {@code PodStatusRenderer}
   * @param followBuffer records a {@code /journal/follow} client may have waiting before it is dropped
   */
  KubeletRoutesServer(HttpOptions options, PrometheusMeterRegistry registry, Function<Object, PodList> podRenderer,
      int followBuffer) {
    this.options = options;
    this.registry = registry;
    this.podRenderer = podRenderer;
    this.followBuffer = followBuffer;
  }

  /** The records this package sends or expects as replies; registering twice is harmless. */
  static void registerCodecs(Vertx vertx) {
    LocalCodec.registerAll(vertx, JournalHealth.class, PlegHealth.class, JournalReadRequest.class,
        JournalPage.class, NodeState.class);
  }

  /** Registers codecs and metrics, and mounts the kubelet routes on {@code router} for {@code serverLabel}. */
  final Router mountRoutes(Router router, String serverLabel) {
    registerCodecs(vertx);
    KubeletMetrics.bind(registry, options.nodeName());
    follow = KubeletRoutes.mount(router, vertx, options.busTimeout(), registry, podRenderer, followBuffer,
        serverLabel);
    return router;
  }

  /** Keeps the server once it listens, for {@link #stop} and {@link #actualPort}. */
  final Future<HttpServer> listening(Future<HttpServer> listen) {
    return listen.onSuccess(s -> server = s);
  }

  @Override
  public Future<?> stop() {
    if (follow != null) {
      follow.close();
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port actually bound, or 0 when disabled or not started. */
  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }
}
