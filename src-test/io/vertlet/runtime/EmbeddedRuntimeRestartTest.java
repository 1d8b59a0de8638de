package io.vertlet.runtime;

import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.CriException;
import io.vertlet.cri.v1.*;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded runtime promises across its own restarts (docs/runtime.md): running containers
 * are adopted, exits that happen while it is down keep their status, lost statuses and reused PIDs
 * are reported as exited 255/Unknown, and invalid requests are refused with a message.
 */
class EmbeddedRuntimeRestartTest {

  @TempDir
  Path tmp;

  private Vertx vertx;
  private EmbeddedRuntime runtime;
  private CriClient cri;
  private String sandboxId;
  private PodSandboxConfig sandbox;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    runtime = start();
    cri = CriClient.create(vertx, runtime.endpoint(), Duration.ofSeconds(30), new SimpleMeterRegistry());
    await(cri.pullImage(CriClient.image("localhost/busybox:1.35"), null, null));
    sandbox = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName("restart").setNamespace("test")
            .setUid(UUID.randomUUID().toString()))
        .setLogDirectory(tmp.resolve("logs").toString()).build();
    sandboxId = await(cri.runPodSandbox(sandbox, ""));
  }

  @AfterEach
  void tearDown() {
    if (runtime != null) {
      try {
        await(cri.removePodSandbox(sandboxId)); // kills whatever still runs
      } finally {
        await(runtime.stop());
      }
    }
    cri.close();
    await(vertx.close());
  }

  private EmbeddedRuntime start() {
    EmbeddedRuntime r = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state"));
    await(r.start(vertx));
    return r;
  }

  private void restart() {
    await(runtime.stop());
    runtime = null;
  }

  private String run(String name, String script) {
    ContainerConfig cfg = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setImage(ImageSpec.newBuilder().setImage("localhost/busybox:1.35"))
        .addCommand("sh").addCommand("-c").addCommand(script).setLogPath(name + ".log").build();
    String id = await(cri.createContainer(sandboxId, cfg, sandbox));
    await(cri.startContainer(id));
    return id;
  }

  private ContainerStatus status(String id) {
    return await(cri.containerStatus(id, false)).getStatus();
  }

  private ContainerStatus waitFor(String id, Predicate<ContainerStatus> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ContainerStatus st;
    do {
      st = status(id);
      if (p.test(st)) {
        return st;
      }
      sleep(50);
    } while (System.nanoTime() < deadline);
    return fail("unexpected status " + st);
  }

  private long pidOf(String id) {
    String info = await(cri.containerStatus(id, true)).getInfoMap().get("info");
    return Long.parseLong(info.replaceAll(".*\"pid\":(\\d+).*", "$1"));
  }

  private long supervisorPidOf(String id) {
    String info = await(cri.containerStatus(id, true)).getInfoMap().get("info");
    return Long.parseLong(info.replaceAll(".*\"supervisorPid\":(\\d+).*", "$1"));
  }

  @Test
  void runningContainersAreAdoptedAndExitsWhileDownKeepTheirStatus() throws Exception {
    String longRunner = run("long", "while true; do echo tick; sleep 0.2; done");
    String shortRunner = run("short", "sleep 1; exit 5");
    waitFor(longRunner, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long pid = pidOf(longRunner);

    restart();
    sleep(1_500); // "short" exits while no runtime runs; its supervisor records the status
    Path log = tmp.resolve("logs/long.log");
    long linesWhileDown = Files.readAllLines(log, StandardCharsets.UTF_8).size();
    runtime = start();

    ContainerStatus adopted = status(longRunner);
    assertEquals(ContainerState.CONTAINER_RUNNING, adopted.getState());
    assertEquals(pid, pidOf(longRunner), "the same process, not a restart");
    ContainerStatus exited = waitFor(shortRunner, s -> s.getState() == ContainerState.CONTAINER_EXITED);
    assertEquals(5, exited.getExitCode());
    assertEquals("Error", exited.getReason());
    sleep(500);
    assertTrue(Files.readAllLines(log, StandardCharsets.UTF_8).size() > linesWhileDown, "logs kept flowing");

    await(cri.stopContainer(longRunner, 5));
    ContainerStatus stopped = status(longRunner);
    assertEquals(ContainerState.CONTAINER_EXITED, stopped.getState());
    assertEquals(143, stopped.getExitCode(), "ended by SIGTERM");
  }

  @Test
  void aLostExitStatusIsReportedAs255Unknown() {
    String id = run("orphan", "sleep 600");
    waitFor(id, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long pid = pidOf(id);
    long supervisor = supervisorPidOf(id);
    restart();
    // Whoever kills the supervisor first (e.g. a unit with KillMode=control-group) loses the status.
    HostProcessesAccess.killGroup(supervisor); // the supervisor leads its own group, with its loggers
    HostProcessesAccess.killGroup(pid);
    kill(pid);
    runtime = start();
    ContainerStatus st = waitFor(id, s -> s.getState() == ContainerState.CONTAINER_EXITED);
    assertEquals(255, st.getExitCode());
    assertEquals("Unknown", st.getReason());
    assertTrue(st.getMessage().contains("exit status lost"), st::getMessage);
  }

  @Test
  void aReusedPidIsNotAdopted() throws Exception {
    String id = run("reuse", "sleep 600");
    waitFor(id, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long pid = pidOf(id);
    long supervisor = supervisorPidOf(id);
    restart();
    // Pretend both PIDs now belong to other processes: same numbers, other start times.
    Path record = tmp.resolve("state/containers/" + id + "/container.json");
    String json = Files.readString(record);
    json = json.replaceAll("\"pidStart\":\\d+", "\"pidStart\":1").replaceAll("\"supervisorStart\":\\d+",
        "\"supervisorStart\":1");
    Files.writeString(record, json);
    runtime = start();
    ContainerStatus st = status(id);
    assertEquals(ContainerState.CONTAINER_EXITED, st.getState(), "not adopted: start times differ");
    assertEquals(255, st.getExitCode());
    // The real processes were never ours as far as the runtime knows: clean them up by hand.
    HostProcessesAccess.killGroup(supervisor);
    HostProcessesAccess.killGroup(pid);
  }

  @Test
  void invalidRequestsAreRefusedWithAMessage() {
    ContainerConfig noCommand = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("x"))
        .setImage(ImageSpec.newBuilder().setImage("localhost/busybox:1.35")).build();
    CriException e = assertThrows(CriException.class, () -> await(cri.createContainer(sandboxId, noCommand, sandbox)));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, e.status());
    assertTrue(e.getMessage().contains("explicit command"), e.getMessage());

    CriException noMeta = assertThrows(CriException.class,
        () -> await(cri.runPodSandbox(PodSandboxConfig.getDefaultInstance(), "")));
    assertEquals(GrpcStatus.INVALID_ARGUMENT, noMeta.status());

    ContainerConfig notPulled = noCommand.toBuilder().addCommand("true")
        .setImage(ImageSpec.newBuilder().setImage("localhost/not-pulled:1")).build();
    assertEquals(GrpcStatus.NOT_FOUND, assertThrows(CriException.class,
        () -> await(cri.createContainer(sandboxId, notPulled, sandbox))).status());

    String missing = await(cri.createContainer(sandboxId, noCommand.toBuilder().addCommand("no-such-binary-here")
        .build(), sandbox));
    CriException start = assertThrows(CriException.class, () -> await(cri.startContainer(missing)));
    assertTrue(start.getMessage().contains("executable file not found"), start.getMessage());
  }

  @Test
  void pullListAndRemoveImages() {
    String ref = await(cri.pullImage(CriClient.image("example.org/app:2"), null, null));
    assertTrue(ref.startsWith("sha256:"));
    assertTrue(await(cri.listImages(null)).stream().anyMatch(i -> i.getId().equals(ref)));
    assertTrue(await(cri.imageStatus(CriClient.image("busybox:1.35"), false)).hasImage() == false,
        "docker.io/library/busybox:1.35 was never pulled");
    await(cri.removeImage(CriClient.image("example.org/app:2")));
    assertFalse(await(cri.imageStatus(CriClient.image(ref), false)).hasImage());
    await(cri.removeImage(CriClient.image("example.org/app:2"))); // idempotent
  }

  private static void kill(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      sleep(20);
    }
  }

  @Test
  void aRootDirTooDeepForAUnixSocketStillServesAndARestartFindsItsSocket() {
    Path deepRoot = tmp.resolve("r".repeat(60)).resolve("s".repeat(60));
    Path socket = EmbeddedRuntime.defaultSocket(deepRoot);
    assertFalse(socket.startsWith(deepRoot), "no room under the root dir: " + socket);
    assertTrue(socket.toString().length() <= 107, socket::toString);
    assertEquals(socket, EmbeddedRuntime.defaultSocket(deepRoot), "a restarted agent dials the same socket");
    assertEquals(tmp.resolve("runtime/vertlet-cri.sock"), EmbeddedRuntime.defaultSocket(tmp), "a short root keeps it");

    EmbeddedRuntime deep = new EmbeddedRuntime(socket, EmbeddedRuntime.defaultStateDir(deepRoot));
    await(deep.start(vertx));
    try (CriClient client = CriClient.create(vertx, deep.endpoint(), Duration.ofSeconds(30), new SimpleMeterRegistry())) {
      assertEquals(EmbeddedRuntime.RUNTIME_NAME, await(client.version()).getRuntimeName());
    } finally {
      await(deep.stop());
    }
    assertFalse(Files.exists(socket), "a stopped runtime removes its socket from the shared dir");
  }

  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Test access to the package-private process helpers. */
  static final class HostProcessesAccess {
    static void killGroup(long pgid) {
      HostProcesses.signalGroup(pgid, "KILL");
    }
  }

}
