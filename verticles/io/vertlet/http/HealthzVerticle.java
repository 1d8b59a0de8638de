package io.vertlet.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's healthz server: plain HTTP on {@code healthzBindAddress:healthzPort} (default
 * 127.0.0.1:10248), answering {@code /healthz} from the journal writer's and the PLEG's health over the bus.
 * Port 0 disables it.
 */
public final class HealthzVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HealthzVerticle.class);

  private final HttpOptions options;
  private HttpServer server;

  public HealthzVerticle(HttpOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    if (options.healthzPort() == 0) {
      LOG.info("healthz server disabled (healthzPort: 0)");
      return Future.succeededFuture();
    }
    KubeletRoutesServer.registerCodecs(vertx);
    Router router = Router.router(vertx);
    new HealthzHandler(vertx, options.busTimeout()).mount(router);
    router.route().handler(Routes::notFound);
    String where = options.healthzBindAddress() + ":" + options.healthzPort();
    return vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(60))
        .requestHandler(router)
        .listen(options.healthzPort(), options.healthzBindAddress())
        .recover(err -> Future.failedFuture(Routes.cannotListen("healthz", where, err)))
        .onSuccess(s -> {
          server = s;
          LOG.info("healthz listening on http://{}/healthz", where);
        });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port actually bound, or 0 when disabled or not started. */
  public int actualPort() {
    return server == null ? 0 : server.actualPort();
  }
}
