package io.vertlet.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code /healthz} as the kubelet answers it: {@code ok} with 200 when every check passes; otherwise 500 and
 * one line per check ({@code [+]name ok}, {@code [-]name failed: reason}) ending in {@code healthz check
 * failed}. {@code /healthz/<check>} runs one check; {@code ?verbose} lists the checks even when all pass.
 * Unlike upstream, the failure reason is not withheld: it is what an operator needs to see.
 */
final class HealthzHandler {

  private final HealthChecks checks;

  HealthzHandler(Vertx vertx, Duration timeout) {
    this.checks = new HealthChecks(vertx, timeout);
  }

  void mount(Router router) {
    router.get("/healthz").handler(this::all);
    router.get("/healthz/:check").handler(this::one);
  }

  private void all(RoutingContext ctx) {
    boolean verbose = ctx.request().params().contains("verbose");
    checks.runAll().onSuccess(results -> {
      boolean failed = results.stream().anyMatch(r -> r.status() == HealthChecks.Status.FAILED);
      if (!failed && !verbose) {
        text(ctx, 200, "ok");
        return;
      }
      StringBuilder body = new StringBuilder();
      results.forEach(r -> body.append(line(r)).append('\n'));
      body.append(failed ? "healthz check failed\n" : "healthz check passed\n");
      text(ctx, failed ? 500 : 200, body.toString());
    });
  }

  private void one(RoutingContext ctx) {
    String name = ctx.pathParam("check");
    if (!HealthChecks.names().contains(name)) {
      text(ctx, 404, "no health check named " + name + " (checks: " + String.join(", ", HealthChecks.names())
          + ")\n");
      return;
    }
    checks.run(name).onSuccess(r -> {
      switch (r.status()) {
        case OK -> text(ctx, 200, "ok");
        case SKIPPED -> text(ctx, 200, "ok (skipped: " + r.reason() + ")");
        case FAILED -> text(ctx, 500, line(r) + "\nhealthz check failed\n");
      }
    });
  }

  private static String line(HealthChecks.Result r) {
    return switch (r.status()) {
      case OK -> "[+]" + r.name() + " ok";
      case SKIPPED -> "[+]" + r.name() + " skipped: " + r.reason();
      case FAILED -> "[-]" + r.name() + " failed: " + r.reason();
    };
  }

  private static void text(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status)
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }
}
