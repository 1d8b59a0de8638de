package io.vertlet.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.ext.web.RoutingContext;

/** Small response helpers shared by the handlers, so every error reads the same way. */
final class Routes {

  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json";

  private Routes() {}

  static void text(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", TEXT).end(body.endsWith("\n") ? body : body + "\n");
  }

  static void json(RoutingContext ctx, String body) {
    ctx.response().setStatusCode(200).putHeader("Content-Type", JSON).end(body);
  }

  /** 404 naming the path, plain text as the kubelet's mux answers. */
  static void notFound(RoutingContext ctx) {
    text(ctx, 404, "404 page not found: " + ctx.request().path());
  }

  /**
   * Maps a failed bus request to a response: 503 when the part is not running or not answering (the agent is
   * starting or degraded, retrying later makes sense), 500 otherwise.
   */
  static void busFailure(RoutingContext ctx, String part, Throwable err) {
    if (err instanceof ReplyException rex && rex.failureType() == ReplyFailure.NO_HANDLERS) {
      text(ctx, 503, part + " is not running");
    } else if (err instanceof ReplyException rex && rex.failureType() == ReplyFailure.TIMEOUT) {
      text(ctx, 503, part + " did not answer in time");
    } else {
      text(ctx, 500, part + " failed: " + err.getMessage());
    }
  }

  static IllegalStateException cannotListen(String server, String where, Throwable cause) {
    return new IllegalStateException(server + ": cannot listen on " + where + ": " + cause.getMessage(), cause);
  }
}
