package io.vertlet.cri;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertlet.testing.ContainerdTestbed;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * One runtime the conformance suite runs against: the embedded runtime (always) or the containerd
 * testbed (when {@code vertlet.containerd.endpoint} is set). Under {@code CI=true} a missing
 * containerd fails the containerd variants instead of skipping them.
 */
final class CriTarget {

  /** The image the testbed imports; the embedded runtime only records the name. */
  static final String IMAGE = "localhost/busybox:1.35";

  final String name;
  final boolean embedded;
  /** Null for containerd: the testbed's rule gives it when the client is first needed. */
  private final String endpoint;
  private CriClient client;

  private CriTarget(String name, boolean embedded, String endpoint) {
    this.name = name;
    this.embedded = embedded;
    this.endpoint = endpoint;
  }

  static CriTarget embedded(EmbeddedRuntime runtime) {
    return new CriTarget("embedded", true, runtime.endpoint());
  }

  static CriTarget containerd() {
    return new CriTarget("containerd", false, null);
  }

  /** The client for this target; fails (CI) or aborts (local) when containerd is not configured. */
  synchronized CriClient client(Vertx vertx) {
    if (client == null) {
      String target = endpoint != null ? endpoint : ContainerdTestbed.endpoint();
      client = CriClient.create(vertx, target, Duration.ofSeconds(60), new SimpleMeterRegistry());
    }
    return client;
  }

  synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
