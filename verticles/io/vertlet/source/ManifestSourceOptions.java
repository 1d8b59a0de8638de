package io.vertlet.source;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the manifest source needs from the effective configuration and the journal.
 *
 * @param staticPodPath a folder of manifests or a single manifest file; null or blank disables the
 *     file source (pods the journal knows came from files are then removed)
 * @param fileCheckFrequency how often the path is rescanned (upstream default 20 s); a file watcher
 *     triggers an extra rescan as soon as something changes, so this is only the safety net
 * @param staticPodURL a URL serving a Pod, a PodList or several YAML documents; null or blank
 *     disables the HTTP source
 * @param httpCheckFrequency how often the URL is fetched (upstream default 20 s)
 * @param staticPodURLHeader headers sent with each fetch (upstream {@code staticPodURLHeader})
 * @param nodeName this node's name: suffix of static pod names, {@code spec.nodeName}, part of the UID
 * @param knownPods pods the journal says came from the file or HTTP source and were not removed, by
 *     uid; an unchanged manifest then produces no new {@code PodAdded} after an agent restart
 * @param maxManifestBytes largest manifest file or HTTP body read; bigger ones are rejected unread
 * @param watchFiles whether to run a file watcher (one thread) for low-latency pickup of changes
 */
public record ManifestSourceOptions(
    String staticPodPath,
    Duration fileCheckFrequency,
    String staticPodURL,
    Duration httpCheckFrequency,
    Map<String, List<String>> staticPodURLHeader,
    String nodeName,
    Map<String, KnownStaticPod> knownPods,
    int maxManifestBytes,
    boolean watchFiles) {

  /** Upstream's default for both check frequencies. */
  public static final Duration DEFAULT_CHECK_FREQUENCY = Duration.ofSeconds(20);

  /**
   * 3 MiB: the API server refuses request bodies larger than this, so a bigger pod could never
   * exist in a cluster; a manifest that large is a mistake or an attack, never read in full.
   */
  public static final int DEFAULT_MAX_MANIFEST_BYTES = 3 * 1024 * 1024;

  public ManifestSourceOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    if (nodeName.isBlank()) {
      throw new IllegalArgumentException("nodeName must not be blank");
    }
    fileCheckFrequency = positiveOrDefault(fileCheckFrequency);
    httpCheckFrequency = positiveOrDefault(httpCheckFrequency);
    staticPodURLHeader = staticPodURLHeader == null ? Map.of() : Map.copyOf(staticPodURLHeader);
    knownPods = knownPods == null ? Map.of() : Map.copyOf(knownPods);
    if (maxManifestBytes <= 0) {
      maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES;
    }
  }

  /** Options for a folder or file source with upstream defaults and nothing known yet. */
  public static ManifestSourceOptions forPath(String staticPodPath, String nodeName) {
    return new ManifestSourceOptions(staticPodPath, DEFAULT_CHECK_FREQUENCY, null, DEFAULT_CHECK_FREQUENCY,
        Map.of(), nodeName, Map.of(), DEFAULT_MAX_MANIFEST_BYTES, true);
  }

  public ManifestSourceOptions withKnownPods(Map<String, KnownStaticPod> known) {
    return new ManifestSourceOptions(staticPodPath, fileCheckFrequency, staticPodURL, httpCheckFrequency,
        staticPodURLHeader, nodeName, known, maxManifestBytes, watchFiles);
  }

  public ManifestSourceOptions withFileCheckFrequency(Duration frequency) {
    return new ManifestSourceOptions(staticPodPath, frequency, staticPodURL, httpCheckFrequency,
        staticPodURLHeader, nodeName, knownPods, maxManifestBytes, watchFiles);
  }

  public ManifestSourceOptions withUrl(String url, Duration frequency, Map<String, List<String>> headers) {
    return new ManifestSourceOptions(staticPodPath, fileCheckFrequency, url, frequency, headers, nodeName,
        knownPods, maxManifestBytes, watchFiles);
  }

  public ManifestSourceOptions withWatchFiles(boolean watch) {
    return new ManifestSourceOptions(staticPodPath, fileCheckFrequency, staticPodURL, httpCheckFrequency,
        staticPodURLHeader, nodeName, knownPods, maxManifestBytes, watch);
  }

  public ManifestSourceOptions withMaxManifestBytes(int max) {
    return new ManifestSourceOptions(staticPodPath, fileCheckFrequency, staticPodURL, httpCheckFrequency,
        staticPodURLHeader, nodeName, knownPods, max, watchFiles);
  }

  boolean fileSourceEnabled() {
    return staticPodPath != null && !staticPodPath.isBlank();
  }

  boolean urlSourceEnabled() {
    return staticPodURL != null && !staticPodURL.isBlank();
  }

  private static Duration positiveOrDefault(Duration d) {
    return d == null || d.isZero() || d.isNegative() ? DEFAULT_CHECK_FREQUENCY : d;
  }
}
