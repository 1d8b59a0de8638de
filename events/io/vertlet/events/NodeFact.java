package io.vertlet.events;

/** The node as the cluster sees it: registration, lease, conditions, eviction, image GC. */
public sealed interface NodeFact extends Fact {

  /** A node condition changed status (Ready, MemoryPressure, DiskPressure, PIDPressure). */
  record NodeConditionChanged(String condition, String status, String reason, String message)
      implements NodeFact {}

  /** The Node object was created or found on the API server. */
  record NodeRegistered(String nodeName, String apiServer) implements NodeFact {}

  /** Lease renewal started failing, or recovered ({@code healthy}). */
  record LeaseRenewalChanged(boolean healthy, String message) implements NodeFact {}

  /** A pod was evicted under pressure. */
  record PodEvicted(PodRef pod, String signal, String observed, String threshold, String message)
      implements NodeFact {}

  /** Image GC removed an image. */
  record ImageRemoved(String image, long sizeBytes, String reason) implements NodeFact {}
}
