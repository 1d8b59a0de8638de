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
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's read-only port: plain HTTP, no authentication, as upstream ({@code readOnlyAddress:readOnlyPort},
 * 10255 when enabled; 0 disables it). Serves the same routes as the secure API.
 */
public final class ReadOnlyServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyServerVerticle.class);

  private final HttpOptions options;
  private final PrometheusMeterRegistry registry;
  private final Function<Object, PodList> podRenderer;
  private final int followBuffer;
  private HttpServer server;
  private JournalFollowHandler follow;

  /**
   * @param podRenderer turns the reply of {@code PROJECTION_NODE} into a PodList; null renders the
   *                    projection's {@code NodeState} with {@code PodStatusRenderer}
   */
  public ReadOnlyServerVerticle(HttpOptions options, PrometheusMeterRegistry registry,
      Function<Object, PodList> podRenderer) {
    this(options, registry, podRenderer, JournalFollowHandler.DEFAULT_MAX_BUFFERED);
  }

  /** As above, with the per-client follow buffer (records) set explicitly. */
  public ReadOnlyServerVerticle(HttpOptions options, PrometheusMeterRegistry registry,
      Function<Object, PodList> podRenderer, int followBuffer) {
    this.options = options;
    this.registry = registry;
    this.podRenderer = podRenderer;
    this.followBuffer = followBuffer;
  }

  @Override
  public Future<?> start() {
    if (options.readOnlyPort() == 0) {
      LOG.info("read-only port disabled (readOnlyPort: 0)");
      return Future.succeededFuture();
    }
    registerCodecs(vertx);
    KubeletMetrics.bind(registry, options.nodeName());
    Router router = Router.router(vertx);
    follow = KubeletRoutes.mount(router, vertx, options.busTimeout(), registry, podRenderer, followBuffer,
        "readonly");
    String where = options.readOnlyAddress() + ":" + options.readOnlyPort();
    return vertx.createHttpServer(new HttpServerOptions())
        .requestHandler(router)
        .listen(options.readOnlyPort(), options.readOnlyAddress())
        .recover(err -> Future.failedFuture(Routes.cannotListen("read-only port", where, err)))
        .onSuccess(s -> {
          server = s;
          LOG.info("read-only port listening on http://{} (no authentication)", where);
        });
  }

  /** The records this package sends or expects as replies; registering twice is harmless. */
  static void registerCodecs(Vertx vertx) {
    LocalCodec.registerAll(vertx, JournalHealth.class, PlegHealth.class, JournalReadRequest.class,
        JournalPage.class, NodeState.class);
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
