package io.vertlet.http;

import io.vertlet.bus.Addresses;
import io.vertlet.bus.ConfigView;
import io.vertlet.events.FactCodec;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;

/** {@code GET /configz}: the effective configuration as the kubelet shows it, {@code {"kubeletconfig": {...}}}. */
final class ConfigzHandler {

  private final Vertx vertx;
  private final Duration timeout;

  ConfigzHandler(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  void handle(RoutingContext ctx) {
    vertx.eventBus().request(Addresses.CONFIG_CURRENT, "configz", new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .onFailure(err -> Routes.busFailure(ctx, "config watch", err))
        .onSuccess(reply -> {
          if (!(reply.body() instanceof ConfigView view)) {
            Routes.text(ctx, 500, "config reply is not a ConfigView: "
                + (reply.body() == null ? "null" : reply.body().getClass().getName()));
            return;
          }
          Routes.json(ctx, FactCodec.JSON.writeValueAsString(Map.of("kubeletconfig", view.toMap())));
        });
  }
}
