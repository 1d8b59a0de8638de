package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one origin (a manifest file, or the manifest URL) yielded on one scan. */
sealed interface OriginOutcome {

  /** The absolute file path or the URL. */
  String origin();

  /** A complete static pod, never changed after this (facts carry it by reference), and its digest. */
  record ParsedPod(Pod pod, String digest) {}

  /** The origin parsed into these valid pods. {@code contentKey} identifies the content read. */
  record Parsed(String origin, String contentKey, List<ParsedPod> pods) implements OriginOutcome {

    /**
     * Seals freshly parsed pods: stamps {@code config.seen} (when this content was first seen) and
     * computes each digest. Runs on a worker thread, so the event loop only compares strings.
     */
    static Parsed of(String origin, String contentKey, List<Pod> pods, Instant seen) {
      List<ParsedPod> sealed = new ArrayList<>(pods.size());
      for (Pod pod : pods) {
        String digest = ManifestParser.specDigest(pod);
        Map<String, String> annotations = new LinkedHashMap<>(pod.getMetadata().getAnnotations());
        annotations.put(StaticPodDefaults.CONFIG_SEEN, seen.toString());
        pod.getMetadata().setAnnotations(annotations);
        sealed.add(new ParsedPod(pod, digest));
      }
      return new Parsed(origin, contentKey, List.copyOf(sealed));
    }
  }

  /** The origin's content cannot become pods; {@code contentKey} identifies what was rejected. */
  record Rejected(String origin, String contentKey, String reason) implements OriginOutcome {}

  /** The origin could not be read at all this time (URL down); its last good pods are kept. */
  record Unreachable(String origin, String reason) implements OriginOutcome {}
}
