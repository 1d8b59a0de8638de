package io.vertlet.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.*;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vertlet bench cri}: CRI latency figures for docs/performance.md (prints, does not judge). */
@Command(name = "cri", mixinStandardHelpOptions = true,
    description = "CRI round-trip latency (Version; ListContainers with N containers) and container "
        + "create+start latency: the embedded runtime (in-process) and, with --endpoint, another runtime.")
public final class CriBenchCommand implements Callable<Integer> {

  @Option(names = "--endpoint", paramLabel = "E",
      description = "Also measure this runtime, e.g. unix:///run/containerd/containerd.sock.")
  String endpoint;

  @Option(names = "--containers", defaultValue = "100", description = "Containers to create (default ${DEFAULT-VALUE}).")
  int containers;

  @Option(names = "--samples", defaultValue = "500", description = "Samples per round-trip measure (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(names = "--image", defaultValue = "localhost/busybox:1.35",
      description = "Image for the containers; must be present in --endpoint's runtime (default ${DEFAULT-VALUE}).")
  String image;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    Path tmp = Files.createTempDirectory("vertlet-bench-cri");
    EmbeddedRuntime embedded = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state"));
    try {
      await(embedded.start(vertx));
      System.out.printf(Locale.ROOT, "CRI benchmark: %d containers, %d samples, %d CPUs, Java %s%n", containers,
          samples, Runtime.getRuntime().availableProcessors(), Runtime.version());
      System.out.printf(Locale.ROOT, "%-12s %-34s %9s %9s %9s %9s%n", "runtime", "measure", "p50 ms", "p90 ms",
          "p99 ms", "max ms");
      measure(vertx, "embedded", embedded.endpoint(), tmp.resolve("logs"));
      if (endpoint != null && !endpoint.isBlank()) {
        measure(vertx, "remote", endpoint, tmp.resolve("logs"));
      }
      return 0;
    } finally {
      await(embedded.stop());
      await(vertx.close());
      deleteQuietly(tmp);
    }
  }

  private void measure(Vertx vertx, String label, String ep, Path logs) {
    try (CriClient cri = CriClient.create(vertx, ep, Duration.ofMinutes(2), new SimpleMeterRegistry())) {
      String name = label.equals("remote") ? await(cri.version()).getRuntimeName() : label;
      if (!await(cri.imageStatus(CriClient.image(image), false)).hasImage()) {
        await(cri.pullImage(CriClient.image(image), null, null));
      }
      report(name, "Version round trip", time(samples, () -> cri.version()));
      NamespaceOption host = NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)
          .setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD).build();
      String uid = UUID.randomUUID().toString();
      PodSandboxConfig sb = PodSandboxConfig.newBuilder()
          .setMetadata(PodSandboxMetadata.newBuilder().setName("bench").setNamespace("bench").setUid(uid))
          .setLogDirectory(logs.resolve(uid).toString())
          .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(
              LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(host)))
          .build();
      String sandboxId = await(cri.runPodSandbox(sb, ""));
      try {
        long[] createStart = new long[containers];
        for (int i = 0; i < containers; i++) {
          ContainerConfig cfg = ContainerConfig.newBuilder()
              .setMetadata(ContainerMetadata.newBuilder().setName("c" + i))
              .setImage(ImageSpec.newBuilder().setImage(image))
              .addAllCommand(List.of("sh", "-c", "sleep 3600")).setLogPath("c" + i + ".log")
              .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                  LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(host)))
              .build();
          long t0 = System.nanoTime();
          String id = await(cri.createContainer(sandboxId, cfg, sb));
          await(cri.startContainer(id));
          createStart[i] = System.nanoTime() - t0;
        }
        report(name, "create+start container", createStart);
        ContainerFilter mine = ContainerFilter.newBuilder().setPodSandboxId(sandboxId).build();
        report(name, "ListContainers (" + containers + " containers)",
            time(Math.max(20, samples / 5), () -> cri.listContainers(mine)));
      } finally {
        await(cri.stopPodSandbox(sandboxId));
        await(cri.removePodSandbox(sandboxId));
      }
    }
  }

  private static long[] time(int n, Supplier<Future<?>> call) {
    for (int i = 0; i < Math.min(100, n); i++) {
      await(call.get()); // warm-up: JIT, connection
    }
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      await(call.get());
      out[i] = System.nanoTime() - t0;
    }
    return out;
  }

  private static void report(String runtime, String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%-12s %-34s %9.2f %9.2f %9.2f %9.2f%n", runtime, what, pct(s, 50), pct(s, 90),
        pct(s, 99), s[s.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try (var walk = Files.walk(p)) {
      List<Path> all = new ArrayList<>(walk.toList());
      java.util.Collections.reverse(all);
      for (Path q : all) {
        Files.deleteIfExists(q);
      }
    } catch (Exception e) {
      // best effort
    }
  }
}
