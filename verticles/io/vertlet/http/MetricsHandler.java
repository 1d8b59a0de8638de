package io.vertlet.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the agent's Prometheus registry in text format 0.0.4. The scrape runs gauges that read
 * /proc and MXBeans, so it runs off the event loop. The cAdvisor, resource and probe endpoints the kubelet also
 * serves answer valid empty expositions until their collectors exist.
 */
final class MetricsHandler {

  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;

  MetricsHandler(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
  }

  void scrape(RoutingContext ctx) {
    vertx.executeBlocking(registry::scrape, false)
        .onSuccess(text -> ctx.response().putHeader("Content-Type", CONTENT_TYPE).end(text))
        .onFailure(err -> Routes.text(ctx, 500, "metrics scrape failed: " + err.getMessage()));
  }

  static void empty(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", CONTENT_TYPE).end("");
  }
}
