package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.events.Fact;
import io.vertlet.events.PodRef;
import io.vertlet.events.SourceFact;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A static pod the journal already holds (a {@code PodAdded} from source "file" or "http" with no
 * later {@code PodRemoved}), handed to the manifest source at start so it does not announce it again.
 *
 * @param pod the pod as announced
 * @param source "file" or "http"
 * @param origin the file path or URL it came from
 * @param spec the announced spec, or null if unknown; with it a same-uid change becomes PodUpdated
 */
public record KnownStaticPod(PodRef pod, String source, String origin, Pod spec) {

  /** Whether a fact's source is one of the manifest source's ("file" or "http"). */
  public static boolean isStaticSource(String source) {
    return "file".equals(source) || "http".equals(source);
  }

  /**
   * Folds one journal fact into the known static pods (uid → pod): the projection the agent keeps,
   * or rebuilds by replaying the journal, to fill {@link ManifestSourceOptions#knownPods()}.
   * Returns the same map, changed in place; facts of other kinds or sources leave it alone.
   */
  public static Map<String, KnownStaticPod> apply(Map<String, KnownStaticPod> known, Fact fact) {
    switch (fact) {
      case SourceFact.PodAdded f when isStaticSource(f.source()) ->
          known.put(f.pod().uid(), new KnownStaticPod(f.pod(), f.source(), f.origin(), f.spec()));
      case SourceFact.PodUpdated f when isStaticSource(f.source()) ->
          known.put(f.pod().uid(), new KnownStaticPod(f.pod(), f.source(), f.origin(), f.spec()));
      case SourceFact.PodRemoved f when isStaticSource(f.source()) -> known.remove(f.pod().uid());
      default -> { }
    }
    return known;
  }

  /** The known static pods after these facts, in journal order. */
  public static Map<String, KnownStaticPod> fold(Iterable<? extends Fact> facts) {
    Map<String, KnownStaticPod> known = new LinkedHashMap<>();
    for (Fact fact : facts) {
      apply(known, fact);
    }
    return known;
  }
}
