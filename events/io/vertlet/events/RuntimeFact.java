package io.vertlet.events;

import java.time.Instant;

/** What PLEG saw change in the container runtime between two relists. */
public sealed interface RuntimeFact extends Fact {

  /** A container is running. {@code pod} is null for containers no known pod owns. */
  record ContainerStarted(PodRef pod, String container, String containerId, Instant startedAt)
      implements RuntimeFact {}

  /** A container exited; {@code reason} as the runtime reported it (Completed, Error, OOMKilled). */
  record ContainerExited(PodRef pod, String container, String containerId, int exitCode, String reason,
      Instant startedAt, Instant finishedAt) implements RuntimeFact {}

  /** A container no longer exists in the runtime. */
  record ContainerRemoved(PodRef pod, String container, String containerId) implements RuntimeFact {}

  /** A sandbox changed state ({@code READY}, {@code NOTREADY}, or {@code REMOVED}). */
  record SandboxChanged(PodRef pod, String sandboxId, String state) implements RuntimeFact {}

  /** The runtime stopped answering, or answered again ({@code reachable}). */
  record RuntimeReachabilityChanged(String endpoint, boolean reachable, String message) implements RuntimeFact {}
}
