package io.vertlet.events;

import io.fabric8.kubernetes.api.model.Pod;

/** What the pod sources (manifest folder, manifest URL, API server) want on this node. */
public sealed interface SourceFact extends Fact {

  /** A pod appeared in a source. {@code origin} is the file, URL or API path it came from. */
  record PodAdded(PodRef pod, String source, String origin, Pod spec) implements SourceFact {}

  /** A pod's spec changed in place (same uid). */
  record PodUpdated(PodRef pod, String source, String origin, Pod spec) implements SourceFact {}

  /** A pod left its source (file removed, pod deleted). */
  record PodRemoved(PodRef pod, String source, String reason) implements SourceFact {}

  /** A manifest could not become a pod; nothing else was affected. */
  record ManifestRejected(String source, String origin, String reason) implements SourceFact {}
}
