package io.vertlet.http;

import io.fabric8.kubernetes.api.model.PodList;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.function.Function;

/**
 * The routes the read-only port and the secure API share: {@code /healthz}, {@code /pods}, {@code /metrics}
 * (+ cadvisor/resource/probes), {@code /configz}, {@code /journal}, {@code /journal/follow}. Anything else is a
 * plain-text 404 naming the path.
 */
final class KubeletRoutes {

  private KubeletRoutes() {}

  /** Mounts the routes; the returned follow handler must be closed when the server stops. */
  static JournalFollowHandler mount(Router router, Vertx vertx, Duration busTimeout,
      PrometheusMeterRegistry registry, Function<Object, PodList> podRenderer, int followBuffer, String server) {
    JournalFollowHandler follow = new JournalFollowHandler(vertx, followBuffer, registry, server);
    router.route().order(-1).handler(new RequestMetrics(registry, server.equals("readonly") ? "readonly" : "readwrite")::handle);
    new HealthzHandler(vertx, busTimeout).mount(router);
    MetricsHandler metrics = new MetricsHandler(vertx, registry);
    router.get("/metrics").handler(metrics::scrape);
    router.get("/metrics/cadvisor").handler(MetricsHandler::empty);
    router.get("/metrics/resource").handler(MetricsHandler::empty);
    router.get("/metrics/probes").handler(MetricsHandler::empty);
    router.get("/pods").handler(new PodsHandler(vertx, busTimeout, podRenderer)::handle);
    router.get("/configz").handler(new ConfigzHandler(vertx, busTimeout)::handle);
    router.get("/journal").handler(new JournalHandler(vertx, busTimeout)::handle);
    router.get("/journal/follow").handler(follow::handle);
    router.route().handler(Routes::notFound);
    return follow;
  }
}
