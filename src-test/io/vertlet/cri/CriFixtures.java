package io.vertlet.cri;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertlet.cri.v1.*;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Requests shaped as the kubelet sends them for hostNetwork pods, and blocking helpers for tests. */
final class CriFixtures {

  private CriFixtures() {}

  /** Waits for a CRI future; a failure is rethrown as the {@link CriException} it carries. */
  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("CRI call did not complete in 90 s", e);
    }
  }

  /** The gRPC status a failed call ended with (fails the test if it succeeded). */
  static GrpcStatus statusOf(Future<?> f) {
    try {
      await(f);
    } catch (CriException e) {
      return e.status();
    }
    return fail("expected the call to fail");
  }

  static NamespaceOption hostNamespaces() {
    return NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER)
        .setIpc(NamespaceMode.POD).build();
  }

  /** A hostNetwork sandbox: empty hostname (runc cannot set one without a UTS namespace). */
  static PodSandboxConfig sandbox(String name, String logDir, Map<String, String> labels) {
    String uid = UUID.randomUUID().toString();
    return PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("conformance").setUid(uid))
        .setLogDirectory(logDir + "/" + uid)
        .putAllLabels(labels)
        .putLabels("io.kubernetes.pod.name", name)
        .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(
            LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(hostNamespaces())))
        .build();
  }

  static ContainerConfig.Builder container(String name, String... command) {
    return ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setImage(ImageSpec.newBuilder().setImage(CriTarget.IMAGE))
        .addAllCommand(List.of(command))
        .setLogPath(name + "/0.log")
        .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
            LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(hostNamespaces())));
  }

  /** Polls ContainerStatus until {@code done} holds (generous deadline for a loaded machine). */
  static ContainerStatus waitFor(CriClient cri, String id, Predicate<ContainerStatus> done, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    ContainerStatus st;
    do {
      st = await(cri.containerStatus(id, false)).getStatus();
      if (done.test(st)) {
        return st;
      }
      sleep(50);
    } while (System.nanoTime() < deadline);
    return fail("container " + id + " did not reach the expected state within " + within + "; last: " + st);
  }

  static ContainerStatus waitExited(CriClient cri, String id) {
    return waitFor(cri, id, s -> s.getState() == ContainerState.CONTAINER_EXITED, Duration.ofSeconds(30));
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
