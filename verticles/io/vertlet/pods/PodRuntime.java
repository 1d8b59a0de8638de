package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.ContainerConfig;
import io.vertlet.cri.v1.ContainerStatus;
import io.vertlet.cri.v1.ImageSpec;
import io.vertlet.cri.v1.PodSandbox;
import io.vertlet.cri.v1.PodSandboxConfig;
import io.vertlet.cri.v1.PodSandboxFilter;
import io.vertlet.cri.v1.ContainerFilter;
import io.vertlet.pods.CriRequests.PodContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pod workers' hands on the runtime: each operation is a few CRI calls through {@link CriClient}
 * plus the directories the kubelet makes itself (pod log directory, emptyDir volumes). All methods
 * return futures and never block; they run on the pod manager's event loop.
 */
final class PodRuntime {

  /** A failure to get an image, with the kubelet's waiting reason (ErrImagePull, ErrImageNeverPull). */
  static final class ImageFailure extends RuntimeException {
    final String reason;

    ImageFailure(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }
  }

  private final Vertx vertx;
  private final CriClient cri;
  private final PodManagerOptions options;
  /** image reference → until when it is known present (nanoTime); a cache to spare ImageStatus calls. */
  private final Map<String, Long> imagePresentUntil = new HashMap<>();

  PodRuntime(Vertx vertx, CriClient cri, PodManagerOptions options) {
    this.vertx = vertx;
    this.cri = cri;
    this.options = options;
  }

  CriClient cri() {
    return cri;
  }

  /** Makes the pod's directories, runs its sandbox; the result is the sandbox ID. */
  Future<String> runSandbox(PodContext ctx, PodSandboxConfig config) {
    List<Future<Void>> dirs = new ArrayList<>();
    dirs.add(vertx.fileSystem().mkdirs(ctx.logDirectory().toString()));
    for (Container c : allContainers(ctx)) {
      dirs.add(vertx.fileSystem().mkdirs(ctx.logDirectory().resolve(c.getName()).toString()));
    }
    for (var v : ctx.pod().getSpec().getVolumes()) {
      if (v.getEmptyDir() != null) {
        dirs.add(vertx.fileSystem().mkdirs(ctx.emptyDir(v.getName()).toString()));
      } else if (v.getHostPath() != null && "DirectoryOrCreate".equals(v.getHostPath().getType())) {
        dirs.add(vertx.fileSystem().mkdirs(v.getHostPath().getPath()));
      }
    }
    return Future.all(dirs).compose(v -> cri.runPodSandbox(config, options.runtimeHandler()));
  }

  /** The sandbox's IP: the node's for hostNetwork pods (no call), else what the runtime reports. */
  Future<String> sandboxIp(PodContext ctx, String sandboxId) {
    if (ctx.hostNetwork()) {
      return Future.succeededFuture(ctx.nodeIp());
    }
    return cri.podSandboxStatus(sandboxId, false).map(s -> {
      String ip = s.getStatus().getNetwork().getIp();
      return ip.isEmpty() ? null : ip;
    });
  }

  /**
   * Makes sure the container's image is present per its imagePullPolicy (default: Always for
   * {@code :latest} or untagged references, IfNotPresent otherwise, as the API server defaults it).
   */
  Future<Void> ensureImage(Container c, PodSandboxConfig sandbox) {
    String ref = c.getImage();
    String policy = c.getImagePullPolicy() != null ? c.getImagePullPolicy() : defaultPullPolicy(ref);
    Long until = imagePresentUntil.get(ref);
    if (!"Always".equals(policy) && until != null && until - System.nanoTime() > 0) {
      return Future.succeededFuture();
    }
    ImageSpec spec = CriClient.image(ref);
    Future<Boolean> present = "Always".equals(policy) ? Future.succeededFuture(false)
        : cri.imageStatus(spec, false).map(r -> r.hasImage());
    return present.compose(has -> {
      if (has) {
        markPresent(ref);
        return Future.succeededFuture();
      }
      if ("Never".equals(policy)) {
        return Future.failedFuture(new ImageFailure("ErrImageNeverPull",
            "Container image \"" + ref + "\" is not present with pull policy of Never"));
      }
      return cri.pullImage(spec, null, sandbox)
          .<Void>map(r -> {
            markPresent(ref);
            return null;
          })
          .recover(err -> Future.failedFuture(new ImageFailure("ErrImagePull", err.getMessage())));
    }, err -> Future.failedFuture(new ImageFailure("ErrImagePull", err.getMessage())));
  }

  void forgetImage(String ref) {
    imagePresentUntil.remove(ref);
  }

  private void markPresent(String ref) {
    imagePresentUntil.put(ref, System.nanoTime() + options.imagePresentTtl().toNanos());
  }

  static String defaultPullPolicy(String ref) {
    String last = ref.substring(ref.lastIndexOf('/') + 1);
    if (last.contains("@")) {
      return "IfNotPresent";
    }
    return !last.contains(":") || last.endsWith(":latest") ? "Always" : "IfNotPresent";
  }

  Future<String> createContainer(String sandboxId, ContainerConfig config, PodSandboxConfig sandbox) {
    return cri.createContainer(sandboxId, config, sandbox);
  }

  Future<Void> startContainer(String id) {
    return cri.startContainer(id);
  }

  Future<Void> stopContainer(String id, long graceSeconds) {
    return cri.stopContainer(id, graceSeconds);
  }

  Future<ContainerStatus> containerStatus(String id) {
    return cri.containerStatus(id, false).map(r -> r.getStatus());
  }

  Future<Void> removeContainer(String id) {
    return cri.removeContainer(id);
  }

  /** The pod's containers (any state), found by the uid label. */
  Future<List<io.vertlet.cri.v1.Container>> podContainers(String uid) {
    return cri.listContainers(ContainerFilter.newBuilder().putLabelSelector(CriRequests.POD_UID, uid).build());
  }

  /** The pod's sandboxes (any state), found by the uid label. */
  Future<List<PodSandbox>> podSandboxes(String uid) {
    return cri.listPodSandbox(PodSandboxFilter.newBuilder().putLabelSelector(CriRequests.POD_UID, uid).build());
  }

  /** Every sandbox and container this agent owns (the node label), for recovery and orphan clean-up. */
  Future<List<PodSandbox>> ownSandboxes() {
    return cri.listPodSandbox(PodSandboxFilter.newBuilder()
        .putLabelSelector(PodManagerOptions.NODE_LABEL, options.nodeName()).build());
  }

  Future<List<io.vertlet.cri.v1.Container>> ownContainers() {
    return cri.listContainers(ContainerFilter.newBuilder()
        .putLabelSelector(PodManagerOptions.NODE_LABEL, options.nodeName()).build());
  }

  /** READY or NOTREADY as the runtime reports the sandbox, REMOVED when it does not know it. */
  Future<String> sandboxState(String id) {
    if (id == null) {
      return Future.succeededFuture("REMOVED");
    }
    return cri.podSandboxStatus(id, false)
        .map(r -> r.getStatus().getState() == io.vertlet.cri.v1.PodSandboxState.SANDBOX_READY ? "READY" : "NOTREADY")
        .recover(err -> PodWorker.isNotFound(err) ? Future.succeededFuture("REMOVED") : Future.failedFuture(err));
  }

  Future<Void> stopSandbox(String id) {
    return cri.stopPodSandbox(id);
  }

  Future<Void> stopAndRemoveSandbox(String id) {
    return cri.stopPodSandbox(id).compose(v -> cri.removePodSandbox(id));
  }

  /** Deletes the pod's folder (emptyDir volumes) and its log directory. */
  Future<Void> deletePodDirs(String uid, Path logDirectory) {
    Path podDir = options.rootDir().resolve("pods").resolve(uid);
    return Future.all(deleteIfExists(podDir), deleteIfExists(logDirectory)).mapEmpty();
  }

  private Future<Void> deleteIfExists(Path p) {
    return vertx.fileSystem().exists(p.toString())
        .compose(exists -> exists ? vertx.fileSystem().deleteRecursive(p.toString()) : Future.succeededFuture());
  }

  static List<Container> allContainers(PodContext ctx) {
    List<Container> all = new ArrayList<>(ctx.pod().getSpec().getInitContainers());
    all.addAll(ctx.pod().getSpec().getContainers());
    return all;
  }
}
