package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/** What one origin (a manifest file, or the manifest URL) yielded on one scan. */
sealed interface OriginOutcome {

  /** The absolute file path or the URL. */
  String origin();

  /** The origin parsed into these valid pods. {@code contentKey} identifies the content read. */
  record Parsed(String origin, String contentKey, List<Pod> pods) implements OriginOutcome {}

  /** The origin's content cannot become pods; {@code contentKey} identifies what was rejected. */
  record Rejected(String origin, String contentKey, String reason) implements OriginOutcome {}

  /** The origin could not be read at all this time (URL down); its last good pods are kept. */
  record Unreachable(String origin, String reason) implements OriginOutcome {}
}
