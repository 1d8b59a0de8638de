package io.vertlet.runtime;

import io.vertlet.cri.v1.FilesystemIdentifier;
import io.vertlet.cri.v1.FilesystemUsage;
import io.vertlet.cri.v1.Image;
import io.vertlet.cri.v1.ImageSpec;
import io.vertlet.cri.v1.UInt64Value;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Images of the embedded runtime. Containers are host processes, so an image is only a name: a
 * pull records the normalised reference (no registry is contacted) and the image is then listed
 * until removed. Its ID is {@code sha256:} of the normalised reference, stable across restarts.
 */
final class ImageStore {

  private final RuntimeStore store;
  private final Map<String, ImageRecord> byId = new ConcurrentHashMap<>();

  ImageStore(RuntimeStore store) {
    this.store = store;
    store.loadImages().forEach(i -> byId.put(i.id(), i));
  }

  /** Docker-style normalisation: {@code busybox} is {@code docker.io/library/busybox:latest}. */
  static String normalize(String ref) {
    String r = ref.strip();
    if (r.isEmpty()) {
      throw new StatusException(GrpcStatus.INVALID_ARGUMENT, "image reference is empty");
    }
    int slash = r.indexOf('/');
    if (slash < 0) {
      r = "docker.io/library/" + r;
    } else {
      String first = r.substring(0, slash);
      if (!first.contains(".") && !first.contains(":") && !first.equals("localhost")) {
        r = "docker.io/" + r;
      }
    }
    int lastSlash = r.lastIndexOf('/');
    if (!r.contains("@") && r.indexOf(':', lastSlash) < 0) {
      r = r + ":latest";
    }
    return r;
  }

  static String idOf(String normalizedRef) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(normalizedRef.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  String pull(ImageSpec spec) {
    String ref = normalize(spec.getImage());
    String id = idOf(ref);
    ImageRecord rec = byId.computeIfAbsent(id, k -> {
      ImageRecord r = new ImageRecord(id, ref, System.currentTimeMillis());
      store.save(r);
      return r;
    });
    return rec.id();
  }

  /** The image named by ID (with or without {@code sha256:}) or by reference, if present. */
  Optional<ImageRecord> find(String image) {
    if (image == null || image.isBlank()) {
      return Optional.empty();
    }
    ImageRecord direct = byId.get(image.startsWith("sha256:") ? image : "sha256:" + image);
    if (direct != null) {
      return Optional.of(direct);
    }
    try {
      return Optional.ofNullable(byId.get(idOf(normalize(image))));
    } catch (StatusException e) {
      return Optional.empty();
    }
  }

  List<Image> list(ImageSpec filter) {
    return byId.values().stream()
        .filter(i -> filter == null || filter.getImage().isEmpty() || find(filter.getImage()).map(i::equals).orElse(false))
        .map(this::toImage).toList();
  }

  void remove(ImageSpec spec) {
    find(spec.getImage()).ifPresent(i -> {
      byId.remove(i.id());
      store.deleteImage(i);
    });
  }

  Image toImage(ImageRecord i) {
    long size = Math.max(1, recordSize(i));
    return Image.newBuilder().setId(i.id()).addRepoTags(i.ref()).setSize(size)
        .setSpec(ImageSpec.newBuilder().setImage(i.id())).build();
  }

  private long recordSize(ImageRecord i) {
    try {
      return Files.size(store.images().resolve(i.id().replace("sha256:", "") + ".json"));
    } catch (IOException e) {
      return 1;
    }
  }

  /** Real bytes and inodes under the images directory. */
  FilesystemUsage usage() {
    long[] bytesInodes = {0, 0};
    Path dir = store.images();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.forEach(p -> {
        bytesInodes[1]++;
        try {
          bytesInodes[0] += Files.size(p);
        } catch (IOException e) {
          // vanished while walking: not counted
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("embedded runtime images dir " + dir + ": " + e.getMessage(), e);
    }
    return FilesystemUsage.newBuilder().setTimestamp(EmbeddedClock.nowNanos())
        .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(dir.toAbsolutePath().toString()))
        .setUsedBytes(UInt64Value.newBuilder().setValue(bytesInodes[0]))
        .setInodesUsed(UInt64Value.newBuilder().setValue(bytesInodes[1])).build();
  }
}
