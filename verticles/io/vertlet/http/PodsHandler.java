package io.vertlet.http;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertlet.bus.Addresses;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * {@code GET /pods}: the pods this node runs as a v1 {@code PodList}, rendered from the node projection
 * ({@link Addresses#PROJECTION_NODE}) by a renderer the agent supplies, and serialized with fabric8 so the
 * field names are exactly Kubernetes'.
 */
final class PodsHandler {

  /**
   * Renders the projection's {@link NodeState} with {@link PodStatusRenderer} (spec as the source gave it,
   * status by upstream's rules); also accepts a ready {@code PodList} or a list of {@code Pod}s.
   */
  static final Function<Object, PodList> DEFAULT_RENDERER = PodsHandler::renderPlain;

  private final Vertx vertx;
  private final Duration timeout;
  private final Function<Object, PodList> renderer;
  /** For the default renderer: the last answer and each pod's JSON, re-rendered only when its view changed. */
  private final PodListJson cache;

  PodsHandler(Vertx vertx, Duration timeout, Function<Object, PodList> renderer) {
    this.vertx = vertx;
    this.timeout = timeout;
    this.renderer = renderer == null ? DEFAULT_RENDERER : renderer;
    this.cache = renderer == null ? new PodListJson() : null;
  }

  void handle(RoutingContext ctx) {
    vertx.eventBus().request(Addresses.PROJECTION_NODE, "pods", new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .onFailure(err -> Routes.busFailure(ctx, "node projection", err))
        .onSuccess(reply -> {
          // Usually only a pod or two changed since the last request: answered from the cache at once, without
          // two more thread hand-overs (each costs a scheduling delay on a busy two-core node).
          String ready = cache != null && reply.body() instanceof NodeState state ? cache.renderIfCheap(state) : null;
          if (ready != null) {
            Routes.json(ctx, ready);
            return;
          }
          // The reply is immutable, so it can be rendered off the event loop: fabric8's first use initializes its
          // whole model (seconds on a busy node), and a large PodList is real CPU work.
          vertx.executeBlocking(() -> render(reply.body()), false)
              .onSuccess(json -> Routes.json(ctx, json))
              .onFailure(err -> Routes.text(ctx, 500, "cannot render pods from the node projection: "
                  + err.getMessage()));
        });
  }

  private String render(Object projection) {
    if (cache != null && projection instanceof NodeState state) {
      return cache.render(state);
    }
    PodList list = renderer.apply(projection);
    if (list.getApiVersion() == null) {
      list.setApiVersion("v1");
    }
    if (list.getKind() == null) {
      list.setKind("PodList");
    }
    return Serialization.asJson(list);
  }

  private static PodList renderPlain(Object body) {
    if (body instanceof NodeState state) {
      return new PodListBuilder().withNewMetadata().endMetadata().withItems(PodStatusRenderer.pods(state)).build();
    }
    if (body instanceof PodList list) {
      return list;
    }
    if (body instanceof List<?> items && items.stream().allMatch(Pod.class::isInstance)) {
      return new PodListBuilder().withNewMetadata().endMetadata()
          .withItems(items.stream().map(Pod.class::cast).toList()).build();
    }
    throw new IllegalArgumentException("unexpected projection reply "
        + (body == null ? "null" : body.getClass().getName()));
  }
}
