package io.vertlet.runtime;

import static io.vertlet.runtime.EmbeddedRuntimeRestartTest.await;
import static io.vertlet.runtime.EmbeddedRuntimeRestartTest.sleep;
import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.*;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Container limits: enforced through cgroup v1 where writable (OOMKilled detected, the cgroup removed with the
 * container however its processes ended), else recorded and reported.
 */
class EmbeddedRuntimeCgroupTest {

  private static final Path CGROUP_V1 = Path.of("/sys/fs/cgroup");

  @TempDir
  Path tmp;

  private Vertx vertx = Vertx.vertx();
  private EmbeddedRuntime runtime;
  private CriClient cri;
  private String sandboxId;
  private PodSandboxConfig sandbox;

  private void start(Path cgroupRoot) {
    runtime = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state")).cgroupRoot(cgroupRoot);
    await(runtime.start(vertx));
    cri = CriClient.create(vertx, runtime.endpoint(), Duration.ofSeconds(30), new SimpleMeterRegistry());
    await(cri.pullImage(CriClient.image("localhost/busybox:1.35"), null, null));
    sandbox = PodSandboxConfig.newBuilder().setMetadata(PodSandboxMetadata.newBuilder().setName("limits")
        .setNamespace("test").setUid(UUID.randomUUID().toString())).build();
    sandboxId = await(cri.runPodSandbox(sandbox, ""));
  }

  @AfterEach
  void tearDown() {
    if (runtime != null) {
      await(cri.removePodSandbox(sandboxId));
      cri.close();
      await(runtime.stop());
    }
    await(vertx.close());
  }

  private String run(String script, LinuxContainerResources res) {
    ContainerConfig cfg = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
        .setImage(ImageSpec.newBuilder().setImage("localhost/busybox:1.35"))
        .addCommand("sh").addCommand("-c").addCommand(script)
        .setLinux(LinuxContainerConfig.newBuilder().setResources(res)).build();
    String id = await(cri.createContainer(sandboxId, cfg, sandbox));
    await(cri.startContainer(id));
    return id;
  }

  private ContainerStatus waitExited(String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      ContainerStatus st = await(cri.containerStatus(id, false)).getStatus();
      if (st.getState() == ContainerState.CONTAINER_EXITED) {
        return st;
      }
      sleep(50);
    }
    return fail("container did not exit");
  }

  @Test
  void limitsAreEnforcedAndOomKillsReported() throws Exception {
    Assumptions.assumeTrue(Files.isWritable(CGROUP_V1.resolve("memory")) && Files.isRegularFile(
        CGROUP_V1.resolve("memory/memory.limit_in_bytes")), "needs a writable cgroup v1 memory controller (root)");
    start(CGROUP_V1);
    LinuxContainerResources res = LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64L << 20)
        .setCpuPeriod(100_000).setCpuQuota(50_000).setCpuShares(256).build();
    String hog = run("x=$(head -c 300000000 /dev/zero | tr '\\000' a); echo survived", res);
    Path mem = CGROUP_V1.resolve("memory/vertlet-embedded/" + hog);
    assertEquals(Long.toString(64L << 20), Files.readString(mem.resolve("memory.limit_in_bytes")).trim());
    assertEquals("50000", Files.readString(CGROUP_V1.resolve("cpu/vertlet-embedded/" + hog + "/cpu.cfs_quota_us")).trim());
    ContainerStatus st = waitExited(hog);
    assertEquals(137, st.getExitCode());
    assertEquals("OOMKilled", st.getReason());
    await(cri.removeContainer(hog));
    assertFalse(Files.exists(mem), "cgroup removed with the container");
  }

  @Test
  void removingAContainerKillsWhatIsLeftInItsCgroupAndRemovesIt() throws Exception {
    Assumptions.assumeTrue(Files.isWritable(CGROUP_V1.resolve("memory")) && Files.isRegularFile(
        CGROUP_V1.resolve("memory/memory.limit_in_bytes")), "needs a writable cgroup v1 memory controller (root)");
    start(CGROUP_V1);
    String id = run("exit 0", LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64L << 20).build());
    assertEquals(0, waitExited(id).getExitCode());
    // A process still in the container's cgroup when RemoveContainer comes (as an OOM-killed container's
    // other processes, still being torn down, were once): the kernel refuses to remove a cgroup with one in it.
    Path mem = CGROUP_V1.resolve("memory/vertlet-embedded/" + id);
    Process straggler = new ProcessBuilder("sleep", "300").start();
    Files.writeString(mem.resolve("cgroup.procs"), Long.toString(straggler.pid()));

    await(cri.removeContainer(id));
    assertFalse(Files.exists(mem), "cgroup removed with the container");
    assertFalse(Files.exists(CGROUP_V1.resolve("cpu/vertlet-embedded/" + id)));
    assertTrue(straggler.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "what was left in the cgroup was killed");
  }

  @Test
  void withoutCgroupsLimitsAreRecordedAndReported() {
    start(tmp.resolve("no-cgroups-here"));
    LinuxContainerResources res = LinuxContainerResources.newBuilder().setMemoryLimitInBytes(64L << 20).build();
    String id = run("exit 0", res);
    assertEquals(64L << 20, await(cri.containerStatus(id, false)).getStatus().getResources().getLinux()
        .getMemoryLimitInBytes());
    await(cri.updateContainerResources(id, res.toBuilder().setMemoryLimitInBytes(128L << 20).build()));
    assertEquals(128L << 20, await(cri.containerStatus(id, false)).getStatus().getResources().getLinux()
        .getMemoryLimitInBytes());
    assertEquals("Completed", waitExited(id).getReason());
  }
}
