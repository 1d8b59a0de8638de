package io.vertlet.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;

/**
 * The agent-wide meters every kubelet exports, bound once per registry: {@code kubelet_node_name}, the
 * {@code process_*} family and the JVM's memory and thread gauges (cheap MXBean reads, nothing that walks the
 * heap or stops threads).
 */
public final class KubeletMetrics {

  private KubeletMetrics() {}

  /** Idempotent: a second call with the same registry finds the node-name gauge and does nothing. */
  public static synchronized void bind(MeterRegistry registry, String nodeName) {
    if (registry.find("kubelet.node.name").gauge() != null) {
      return;
    }
    Gauge.builder("kubelet.node.name", () -> 1)
        .tag("node", nodeName)
        .description("The node's name. The count is always 1.")
        .register(registry);
    new ProcessMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
  }
}
