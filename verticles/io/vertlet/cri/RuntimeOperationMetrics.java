package io.vertlet.cri;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's runtime operation metrics, labelled by {@code operation_type}:
 * {@code kubelet_runtime_operations_total}, {@code kubelet_runtime_operations_errors_total} and
 * {@code kubelet_runtime_operations_duration_seconds} (a histogram with the kubelet's buckets,
 * 5 ms growing by 2.5x over 14 steps). Micrometer's Prometheus naming adds the {@code _total} and
 * {@code _seconds} suffixes, so the meters are registered without them.
 */
final class RuntimeOperationMetrics {

  static final String OPERATIONS = "kubelet_runtime_operations";
  static final String ERRORS = "kubelet_runtime_operations_errors";
  static final String DURATION = "kubelet_runtime_operations_duration";
  static final String TAG = "operation_type";

  private static final Duration[] BUCKETS = buckets();

  private final MeterRegistry registry;
  private final Map<String, Meters> byOperation = new ConcurrentHashMap<>();

  private record Meters(Counter operations, Counter errors, Timer duration) {}

  RuntimeOperationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String operation, long startNanos, boolean failed) {
    Meters m = byOperation.computeIfAbsent(operation, this::register);
    m.operations.increment();
    m.duration.record(Duration.ofNanos(System.nanoTime() - startNanos));
    if (failed) {
      m.errors.increment();
    }
  }

  private Meters register(String operation) {
    return new Meters(
        Counter.builder(OPERATIONS).description("Cumulative number of runtime operations by operation type.")
            .tag(TAG, operation).register(registry),
        Counter.builder(ERRORS).description("Cumulative number of runtime operation errors by operation type.")
            .tag(TAG, operation).register(registry),
        Timer.builder(DURATION).description("Duration in seconds of runtime operations. Broken down by operation type.")
            .tag(TAG, operation).serviceLevelObjectives(BUCKETS).register(registry));
  }

  private static Duration[] buckets() {
    Duration[] b = new Duration[14];
    double v = 0.005;
    for (int i = 0; i < b.length; i++) {
      b[i] = Duration.ofNanos(Math.round(v * 1e9));
      v *= 2.5;
    }
    return b;
  }
}
