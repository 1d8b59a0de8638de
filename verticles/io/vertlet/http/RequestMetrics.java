package io.vertlet.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;

/**
 * The kubelet's own HTTP server metrics, same names and labels: {@code kubelet_http_requests_total} and the
 * {@code kubelet_http_requests_duration_seconds} histogram (Prometheus' default buckets), labelled
 * {@code method}, {@code path} (the first path segment of a known route, else {@code other}, so a scanner
 * cannot blow up the label set), {@code server_type} ({@code readonly} | {@code readwrite}) and
 * {@code long_running} (the follow stream).
 */
final class RequestMetrics {

  private static final Set<String> KNOWN = Set.of("healthz", "pods", "metrics", "configz", "journal", "stats",
      "logs", "spec", "run", "exec", "attach", "portForward", "containerLogs", "runningpods", "debug");
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final String serverType;

  RequestMetrics(MeterRegistry registry, String serverType) {
    this.registry = registry;
    this.serverType = serverType;
  }

  void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    String method = ctx.request().method().name();
    String fullPath = ctx.request().path() == null ? "" : ctx.request().path();
    String path = label(fullPath);
    String longRunning = String.valueOf(fullPath.startsWith("/journal/follow"));
    ctx.addEndHandler(done -> {
      String[] tags = {"method", method, "path", path, "server_type", serverType, "long_running", longRunning};
      Counter.builder("kubelet.http.requests")
          .description("Number of HTTP requests received since the server started.")
          .tags(tags).register(registry).increment();
      Timer.builder("kubelet.http.requests.duration")
          .description("Duration in seconds to serve HTTP requests.")
          .serviceLevelObjectives(BUCKETS)
          .tags(tags).register(registry).record(Duration.ofNanos(System.nanoTime() - start));
    });
    ctx.next();
  }

  static String label(String path) {
    String[] parts = path.split("/", 3);
    String first = parts.length > 1 ? parts[1] : "";
    return KNOWN.contains(first) ? first : "other";
  }
}
