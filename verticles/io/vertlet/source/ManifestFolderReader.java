package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code staticPodPath} (a folder or one file) into one outcome per manifest file. Blocking:
 * call it from a worker thread, one scan at a time. Like upstream it ignores names starting with a
 * dot (and, beyond upstream, {@code *.md} files), does not recurse into sub-folders and visits files in name order. Each file is read with a
 * bound; unchanged content (same SHA-256) is not parsed again.
 */
final class ManifestFolderReader {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestFolderReader.class);

  private record Cached(String contentKey, OriginOutcome outcome) {}

  private final Path path;
  private final int maxBytes;
  private final ManifestParser parser;
  private Map<String, Cached> cache = new HashMap<>();
  private final Set<String> skippedLogged = new HashSet<>();
  private String pathProblemLogged;

  ManifestFolderReader(Path path, int maxBytes, ManifestParser parser) {
    this.path = path.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.parser = parser;
  }

  Path path() {
    return path;
  }

  /** One outcome per manifest file, in name order. A missing path yields none (its pods go). */
  List<OriginOutcome> scan() {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      pathProblem(e instanceof NoSuchFileException
          ? "staticPodPath " + path + " does not exist; no static pods from files until it does"
          : "cannot read staticPodPath " + path + ": " + e);
      cache = new HashMap<>();
      return List.of();
    }
    Map<String, Cached> nextCache = new HashMap<>();
    List<OriginOutcome> outcomes = new ArrayList<>();
    if (attributes.isDirectory()) {
      pathProblemLogged = null;
      for (Path file : listFolder()) {
        OriginOutcome outcome = readFile(file, nextCache);
        if (outcome != null) {
          outcomes.add(outcome);
        }
      }
    } else if (attributes.isRegularFile()) {
      pathProblemLogged = null;
      OriginOutcome outcome = readFile(path, nextCache);
      if (outcome != null) {
        outcomes.add(outcome);
      }
    } else {
      pathProblem("staticPodPath " + path + " is neither a folder nor a file; ignored");
    }
    cache = nextCache;
    return outcomes;
  }

  private List<Path> listFolder() {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(path, entry -> isCandidate(entry.getFileName().toString()))) {
      stream.forEach(files::add);
    } catch (IOException e) {
      pathProblem("cannot list staticPodPath " + path + ": " + e);
    }
    files.sort(null);
    return files;
  }

  /**
   * As upstream, names starting with a dot are skipped (editors' and installers' temporary files).
   * vertlet also skips Markdown ({@code *.md}) so a manifest folder can carry its README; no
   * manifest is ever named like that.
   */
  static boolean isCandidate(String name) {
    return !name.startsWith(".") && !name.toLowerCase(java.util.Locale.ROOT).endsWith(".md");
  }

  /** Null when the file is not a manifest candidate (a folder, a socket) or vanished meanwhile. */
  private OriginOutcome readFile(Path file, Map<String, Cached> nextCache) {
    String origin = file.toString();
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        if (skippedLogged.add(origin)) {
          LOG.warn("not reading {}: {}", origin, attributes.isDirectory()
              ? "staticPodPath is not searched recursively" : "not a regular file");
        }
        return null;
      }
      if (attributes.size() > maxBytes) {
        String key = "size:" + attributes.size() + ":" + attributes.lastModifiedTime().toMillis();
        return remember(origin, key, nextCache, () -> tooLarge(origin, key, attributes.size()));
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(maxBytes + 1);
      }
      if (bytes.length > maxBytes) { // grew since the size check
        String key = "size:>" + maxBytes + ":" + attributes.lastModifiedTime().toMillis();
        return remember(origin, key, nextCache, () -> tooLarge(origin, key, bytes.length));
      }
      String key = Canonical.sha256Hex(bytes);
      return remember(origin, key, nextCache, () -> parse(origin, key, bytes));
    } catch (NoSuchFileException vanished) {
      return null;
    } catch (IOException e) {
      String key = "io:" + e;
      return remember(origin, key, nextCache, () -> new OriginOutcome.Rejected(origin, key, "cannot read: " + e));
    }
  }

  private OriginOutcome tooLarge(String origin, String key, long size) {
    return new OriginOutcome.Rejected(origin, key, "file is " + size + " bytes, over the " + maxBytes
        + "-byte limit for a manifest; not read");
  }

  private OriginOutcome parse(String origin, String key, byte[] bytes) {
    try {
      List<Pod> pods = parser.parse(bytes, "file", origin);
      return OriginOutcome.Parsed.of(origin, key, pods, Instant.now());
    } catch (ManifestException e) {
      return new OriginOutcome.Rejected(origin, key, e.getMessage());
    } catch (RuntimeException e) {
      // A parser bug must cost one manifest, never the source.
      LOG.error("unexpected failure parsing {}", origin, e);
      return new OriginOutcome.Rejected(origin, key, "cannot parse: " + e);
    }
  }

  private OriginOutcome remember(String origin, String key, Map<String, Cached> nextCache,
      java.util.function.Supplier<OriginOutcome> compute) {
    Cached cached = cache.get(origin);
    OriginOutcome outcome = cached != null && cached.contentKey().equals(key) ? cached.outcome() : compute.get();
    nextCache.put(origin, new Cached(key, outcome));
    return outcome;
  }

  private void pathProblem(String message) {
    if (!message.equals(pathProblemLogged)) {
      LOG.warn(message);
      pathProblemLogged = message;
    }
  }
}
