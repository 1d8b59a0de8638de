package io.vertlet.pods;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertlet.projection.ContainerView;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodView;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The kubelet's pod lifecycle metrics. Gauges are computed from the pod manager's current
 * {@link NodeState} when scraped (an immutable value, safe to read from the scraping thread);
 * counters and timers are recorded by the workers. Micrometer's Prometheus naming adds the
 * {@code _total} and {@code _seconds} suffixes, so meters are registered without them. Gauges hold
 * their state supplier strongly: Micrometer's default weak reference lets a lambda be collected,
 * after which the gauge reads NaN.
 */
final class PodMetrics {

  private final MeterRegistry registry;
  private final Counter startedPods;
  private final Counter startedPodsErrors;
  private final Counter restartedPods;
  private final Timer podStart;
  private final Map<String, Counter> startedContainers = new ConcurrentHashMap<>();
  private final Map<String, Counter> startedContainersErrors = new ConcurrentHashMap<>();
  private final Map<String, Timer> workerDuration = new ConcurrentHashMap<>();

  PodMetrics(MeterRegistry registry, Supplier<NodeState> state, Supplier<Map<String, String>> workerLifecycles) {
    this.registry = registry;
    startedPods = Counter.builder("kubelet_started_pods").description("Cumulative number of pods started")
        .register(registry);
    startedPodsErrors = Counter.builder("kubelet_started_pods_errors")
        .description("Cumulative number of errors when starting pods").register(registry);
    restartedPods = Counter.builder("kubelet_restarted_pods").description(
        "Number of pods that have been restarted because they were deleted and recreated with the same name "
            + "while the kubelet was watching them (common for static pods)").tag("static", "true")
        .register(registry);
    podStart = Timer.builder("kubelet_pod_start_duration").description(
        "Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run")
        .serviceLevelObjectives(seconds(0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480,
            600, 900, 1200, 1800, 2700, 3600))
        .register(registry);

    Gauge.builder("kubelet_running_pods", state, s -> s.get().pods().values().stream()
            .filter(p -> p.sandboxId() != null).count())
        .description("Number of pods that have a running pod sandbox").strongReference(true).register(registry);
    for (String st : new String[] {"running", "exited", "created", "unknown"}) {
      Gauge.builder("kubelet_running_containers", state, s -> countContainers(s.get(), st))
          .description("Number of containers currently running").tag("container_state", st).strongReference(true)
          .register(registry);
    }
    for (boolean isStatic : new boolean[] {true, false}) {
      Gauge.builder("kubelet_desired_pods", state, s -> s.get().pods().values().stream()
              .filter(p -> isStatic(p) == isStatic).count())
          .description("The number of pods the kubelet is being instructed to run. static is true if the pod "
              + "is not from the apiserver.").tag("static", Boolean.toString(isStatic)).strongReference(true)
          .register(registry);
    }
    for (String lifecycle : new String[] {"sync", "terminating"}) {
      for (boolean isStatic : new boolean[] {true, false}) {
        ToDoubleFunction<Supplier<NodeState>> count = s -> s.get().pods().values().stream()
            .filter(p -> isStatic(p) == isStatic)
            .filter(p -> lifecycle.equals(workerLifecycles.get().get(p.ref().uid())))
            .count();
        Gauge.builder("kubelet_working_pods", state, count)
            .description("Number of pods the kubelet is actually running, broken down by lifecycle phase")
            .tag("lifecycle", lifecycle).tag("config", "desired").tag("static", Boolean.toString(isStatic))
            .strongReference(true).register(registry);
      }
    }
  }

  static boolean isStatic(PodView p) {
    return !"api".equals(p.source());
  }

  private static double countContainers(NodeState s, String state) {
    long n = 0;
    for (PodView p : s.pods().values()) {
      for (ContainerView c : p.containers().values()) {
        if (c.containerId() == null) {
          continue;
        }
        String st = switch (c.state()) {
          case RUNNING -> "running";
          case TERMINATED -> "exited";
          case WAITING -> c.backoffUntil() != null || c.lastTerminated() != null ? "exited" : "created";
        };
        if (st.equals(state)) {
          n++;
        }
      }
    }
    return n;
  }

  void podStarted() {
    startedPods.increment();
  }

  void podStartFailed() {
    startedPodsErrors.increment();
  }

  void podRestarted() {
    restartedPods.increment();
  }

  void podStartDuration(Duration d) {
    podStart.record(d);
  }

  void containerStarted(boolean init) {
    startedContainers.computeIfAbsent(type(init), t -> Counter.builder("kubelet_started_containers")
        .description("Cumulative number of containers started").tag("container_type", t).register(registry))
        .increment();
  }

  void containerStartFailed(boolean init, String code) {
    startedContainersErrors.computeIfAbsent(type(init) + "/" + code, k -> Counter.builder(
            "kubelet_started_containers_errors").description("Cumulative number of errors when starting containers")
        .tag("container_type", type(init)).tag("code", code).register(registry)).increment();
  }

  void workerDuration(String operation, long startNanos) {
    workerDuration.computeIfAbsent(operation, op -> Timer.builder("kubelet_pod_worker_duration")
        .description("Duration in seconds to sync a single pod. Broken down by operation type: create, update, "
            + "or sync").tag("operation_type", op)
        .serviceLevelObjectives(seconds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        .register(registry)).record(Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private static String type(boolean init) {
    return init ? "init_container" : "container";
  }

  private static Duration[] seconds(double... s) {
    Duration[] out = new Duration[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = Duration.ofNanos(Math.round(s[i] * 1e9));
    }
    return out;
  }
}
