package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.events.PodRef;

/**
 * A static pod the journal already holds (a {@code PodAdded} from source "file" or "http" with no
 * later {@code PodRemoved}), handed to the manifest source at start so it does not announce it again.
 *
 * @param pod the pod as announced
 * @param source "file" or "http"
 * @param origin the file path or URL it came from
 * @param spec the announced spec, or null if unknown; with it a same-uid change becomes PodUpdated
 */
public record KnownStaticPod(PodRef pod, String source, String origin, Pod spec) {}
