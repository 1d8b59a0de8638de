package io.vertlet.http;

import io.fabric8.kubernetes.api.model.PodList;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's read-only port: plain HTTP, no authentication, as upstream ({@code readOnlyAddress:readOnlyPort},
 * 10255 when enabled; 0 disables it). Serves the same routes as the secure API.
 */
public final class ReadOnlyServerVerticle extends KubeletRoutesServer {

  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyServerVerticle.class);

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
    super(options, registry, podRenderer, followBuffer);
  }

  @Override
  public Future<?> start() {
    if (options.readOnlyPort() == 0) {
      LOG.info("read-only port disabled (readOnlyPort: 0)");
      return Future.succeededFuture();
    }
    Router router = mountRoutes(Router.router(vertx), "readonly");
    String where = options.readOnlyAddress() + ":" + options.readOnlyPort();
    return listening(vertx.createHttpServer(new HttpServerOptions())
        .requestHandler(router)
        .listen(options.readOnlyPort(), options.readOnlyAddress()))
        .recover(err -> Future.failedFuture(Routes.cannotListen("read-only port", where, err)))
        .onSuccess(s -> LOG.info("read-only port listening on http://{} (no authentication)", where));
  }
}
