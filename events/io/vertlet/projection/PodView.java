package io.vertlet.projection;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.events.PodRef;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * What the node believes about one pod: where it came from, its spec, its sandbox, and a view per
 * container (init containers first, in spec order). Phase and conditions are derived from these by
 * {@link PodStatusRenderer}, never stored, so they cannot drift from the facts.
 */
public record PodView(
    PodRef ref,
    String source,
    String origin,
    Pod spec,
    Instant addedAt,
    String sandboxId,
    String podIp,
    Instant startTime,
    Map<String, ContainerView> containers,
    String failedReason,
    String failedMessage,
    Instant removedAt,
    String sandboxState,
    Integer sandboxAttempt) {

  public PodView {
    containers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(containers));
  }

  static PodView added(PodRef ref, String source, String origin, Pod spec, Instant at) {
    Map<String, ContainerView> containers = new LinkedHashMap<>();
    if (spec.getSpec() != null) {
      boolean hasInit = !spec.getSpec().getInitContainers().isEmpty();
      for (var c : spec.getSpec().getInitContainers()) {
        containers.put(c.getName(), ContainerView.declared(c.getName(), true, c.getImage(), hasInit));
      }
      for (var c : spec.getSpec().getContainers()) {
        containers.put(c.getName(), ContainerView.declared(c.getName(), false, c.getImage(), hasInit));
      }
    }
    return new PodView(ref, source, origin, spec, at, null, null, null, containers, null, null, null, null, null);
  }

  PodView withSpec(String newOrigin, Pod newSpec) {
    return new PodView(ref, source, newOrigin, newSpec, addedAt, sandboxId, podIp, startTime, containers,
        failedReason, failedMessage, removedAt, sandboxState, sandboxAttempt);
  }

  /** A new current sandbox ({@code attempt} as created), or none ({@code id} null, the attempt kept). */
  PodView withSandbox(String id, String ip, Instant at, Integer attempt) {
    return new PodView(ref, source, origin, spec, addedAt, id, ip, startTime == null ? at : startTime, containers,
        failedReason, failedMessage, removedAt, null, attempt != null ? attempt : sandboxAttempt);
  }

  /** PLEG saw the current sandbox leave READY ({@code state}: NOTREADY): the worker is to replace it. */
  PodView sandboxNotReady(String state) {
    return new PodView(ref, source, origin, spec, addedAt, sandboxId, podIp, startTime, containers,
        failedReason, failedMessage, removedAt, state, sandboxAttempt);
  }

  /**
   * The worker gave up the dead sandbox (SandboxLost): the view forgets it (it stays stopped in the runtime
   * until the pod is cleaned up, as upstream keeps it), and when the pod is re-created in a new sandbox its
   * init containers run again, as upstream purges them.
   */
  PodView sandboxLost(boolean recreate) {
    Map<String, ContainerView> next = new LinkedHashMap<>(containers);
    if (recreate) {
      next.replaceAll((name, c) -> c.init() ? c.rerun() : c);
    }
    return new PodView(ref, source, origin, spec, addedAt, null, podIp, startTime, next, failedReason,
        failedMessage, removedAt, null, sandboxAttempt);
  }

  /** True when the current sandbox is known not to be ready any more (see {@link #sandboxNotReady}). */
  public boolean sandboxDead() {
    return sandboxId != null && sandboxState != null;
  }

  PodView failed(String reason, String message) {
    return new PodView(ref, source, origin, spec, addedAt, sandboxId, podIp, startTime, containers, reason, message,
        removedAt, sandboxState, sandboxAttempt);
  }

  PodView removed(Instant at) {
    return new PodView(ref, source, origin, spec, addedAt, sandboxId, podIp, startTime, containers, failedReason,
        failedMessage, at, sandboxState, sandboxAttempt);
  }

  /** The pod with one container changed; an unknown container name leaves the pod as it is. */
  PodView withContainer(String name, UnaryOperator<ContainerView> change) {
    ContainerView current = containers.get(name);
    if (current == null) {
      return this;
    }
    Map<String, ContainerView> next = new LinkedHashMap<>(containers);
    next.put(name, change.apply(current));
    return new PodView(ref, source, origin, spec, addedAt, sandboxId, podIp, startTime, next, failedReason,
        failedMessage, removedAt, sandboxState, sandboxAttempt);
  }

  /** True once the pod left its source and awaits clean-up. */
  public boolean terminating() {
    return removedAt != null;
  }
}
