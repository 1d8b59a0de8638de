package io.vertlet.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded runtime's state directory. One JSON file per sandbox, container and image, each
 * replaced atomically (write a temporary file, rename), so a crash leaves the old or the new
 * version, never half of one:
 * <pre>
 *   STATE/shim-HASH.pl, .sock, .log      the node-wide shim of one version (see NodeShim)
 *   STATE/sandboxes/ID.json              SandboxRecord
 *   STATE/containers/ID/container.json   ContainerRecord
 *   STATE/containers/ID/pid, exit        written by the shim that started the container
 *   STATE/images/HEX.json                ImageRecord
 * </pre>
 * Blocking: call from worker or virtual threads only.
 */
final class RuntimeStore {

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStore.class);

  private final Path root;
  private final JsonMapper json = JsonMapper.builder().build();

  RuntimeStore(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path sandboxes() {
    return root.resolve("sandboxes");
  }

  Path containers() {
    return root.resolve("containers");
  }

  Path images() {
    return root.resolve("images");
  }

  Path containerDir(String id) {
    return containers().resolve(id);
  }

  void init() {
    try {
      Files.createDirectories(sandboxes());
      Files.createDirectories(containers());
      Files.createDirectories(images());
    } catch (IOException e) {
      throw new UncheckedIOException("embedded runtime state dir " + root + ": " + e.getMessage(), e);
    }
  }

  void save(SandboxRecord s) {
    write(sandboxes().resolve(s.id() + ".json"), s);
  }

  void save(ContainerRecord c) {
    write(containerDir(c.id()).resolve("container.json"), c);
  }

  void save(ImageRecord i) {
    write(images().resolve(i.id().replace("sha256:", "") + ".json"), i);
  }

  void deleteSandbox(String id) {
    deleteTree(sandboxes().resolve(id + ".json"));
  }

  void deleteContainer(String id) {
    deleteTree(containerDir(id));
  }

  void deleteImage(ImageRecord i) {
    deleteTree(images().resolve(i.id().replace("sha256:", "") + ".json"));
  }

  List<SandboxRecord> loadSandboxes() {
    return load(sandboxes(), SandboxRecord.class, false);
  }

  List<ContainerRecord> loadContainers() {
    return load(containers(), ContainerRecord.class, true);
  }

  List<ImageRecord> loadImages() {
    return load(images(), ImageRecord.class, false);
  }

  private <T> List<T> load(Path dir, Class<T> type, boolean nested) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        Path file = nested ? p.resolve("container.json") : p;
        if (!file.toString().endsWith(".json") || !Files.isRegularFile(file)) {
          continue;
        }
        try {
          out.add(json.readValue(Files.readAllBytes(file), type));
        } catch (IOException | RuntimeException e) {
          // One damaged record must not hide the others; it stays on disk for a human to inspect.
          LOG.warn("embedded runtime: skipping unreadable state file {}: {}", file, e.getMessage());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("embedded runtime state dir " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  private void write(Path file, Object value) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, json.writeValueAsBytes(value));
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
    }
  }
}
