package io.vertlet.cri;

import static io.vertlet.cri.CriFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.vertlet.cri.v1.*;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One CRI conformance suite, run against every runtime vertlet supports: its embedded runtime
 * (started here on a temporary socket) and containerd (the testbed's endpoint, see {@link CriTarget}).
 * The same requests, the same expectations: what the pod workers and PLEG rely on.
 */
class CriConformanceTest {

  private static final Pattern CRI_LOG_LINE = Pattern.compile(
      "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?(Z|[+-]\\d\\d:\\d\\d) (stdout|stderr) [FP] .*$");

  @TempDir
  static Path tmp;

  private static Vertx vertx;
  private static EmbeddedRuntime embedded;
  private static List<CriTarget> targets;

  private final ConcurrentLinkedQueue<Object[]> sandboxes = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    embedded = new EmbeddedRuntime(tmp.resolve("run/cri.sock"), tmp.resolve("state"));
    await(embedded.start(vertx));
    targets = List.of(CriTarget.embedded(embedded), CriTarget.containerd());
  }

  @AfterAll
  static void stop() {
    if (targets != null) {
      targets.forEach(CriTarget::close);
    }
    if (embedded != null) {
      await(embedded.stop());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  static Stream<String> runtimes() {
    return Stream.of("embedded", "containerd");
  }

  private CriClient cri(String runtime) {
    CriTarget t = targets.stream().filter(x -> x.name.equals(runtime)).findFirst().orElseThrow();
    CriClient client = t.client(vertx);
    ensureImage(client);
    return client;
  }

  /** containerd has the image imported by the testbed (no registry here); the embedded runtime records a pull. */
  private static void ensureImage(CriClient cri) {
    if (!await(cri.imageStatus(CriClient.image(CriTarget.IMAGE), false)).hasImage()) {
      await(cri.pullImage(CriClient.image(CriTarget.IMAGE), null, null));
    }
  }

  /** Removes every sandbox a test created, whatever happened in the test. */
  @AfterEach
  void cleanUp() {
    for (Object[] s : sandboxes) {
      CriClient cri = (CriClient) s[0];
      String id = (String) s[1];
      try {
        await(cri.stopPodSandbox(id));
      } catch (RuntimeException e) {
        // already gone or stopped: removal below is what matters
      }
      await(cri.removePodSandbox(id));
    }
    sandboxes.clear();
  }

  private PodSandboxConfig sandboxConfig(String name, Map<String, String> labels) {
    return CriFixtures.sandbox(name, tmp.resolve("logs").toString(), labels);
  }

  private String runSandbox(CriClient cri, PodSandboxConfig cfg) {
    String id = await(cri.runPodSandbox(cfg, ""));
    sandboxes.add(new Object[] {cri, id});
    return id;
  }

  private String startContainer(CriClient cri, String sandboxId, PodSandboxConfig sandboxCfg, ContainerConfig cfg) {
    String id = await(cri.createContainer(sandboxId, cfg, sandboxCfg));
    await(cri.startContainer(id));
    return id;
  }

  private static String randomId() {
    byte[] b = new byte[32];
    new java.util.Random().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ------------------------------------------------------------------------------ tests

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void versionAndStatus(String runtime) {
    CriClient cri = cri(runtime);
    VersionResponse v = await(cri.version());
    assertEquals("v1", v.getRuntimeApiVersion());
    assertFalse(v.getRuntimeName().isEmpty());
    assertFalse(v.getRuntimeVersion().isEmpty());
    StatusResponse st = await(cri.status(false));
    assertTrue(st.getStatus().getConditionsList().stream()
        .anyMatch(c -> c.getType().equals("RuntimeReady") && c.getStatus()), st::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void sandboxLifecycle(String runtime) {
    CriClient cri = cri(runtime);
    PodSandboxConfig cfg = sandboxConfig("lifecycle", Map.of("suite", "lifecycle"));
    String id = runSandbox(cri, cfg);

    PodSandboxStatus st = await(cri.podSandboxStatus(id, false)).getStatus();
    assertEquals(id, st.getId());
    assertEquals(PodSandboxState.SANDBOX_READY, st.getState());
    assertEquals(cfg.getMetadata().getUid(), st.getMetadata().getUid());
    assertEquals("lifecycle", st.getLabelsMap().get("suite"));
    assertTrue(st.getCreatedAt() > 0);
    assertTrue(await(cri.listPodSandbox(null)).stream().anyMatch(s -> s.getId().equals(id)));

    await(cri.stopPodSandbox(id));
    assertEquals(PodSandboxState.SANDBOX_NOTREADY, await(cri.podSandboxStatus(id, false)).getStatus().getState());
    await(cri.stopPodSandbox(id)); // idempotent

    await(cri.removePodSandbox(id));
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.podSandboxStatus(id, false)));
    await(cri.removePodSandbox(id)); // idempotent
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void containerLifecycleAndExitCodes(String runtime) {
    CriClient cri = cri(runtime);
    PodSandboxConfig sb = sandboxConfig("exitcodes", Map.of());
    String sandboxId = runSandbox(cri, sb);

    String failing = await(cri.createContainer(sandboxId, container("failing", "sh", "-c", "sleep 0.3; exit 3").build(), sb));
    ContainerStatus created = await(cri.containerStatus(failing, false)).getStatus();
    assertEquals(ContainerState.CONTAINER_CREATED, created.getState());
    assertTrue(created.getCreatedAt() > 0);
    await(cri.startContainer(failing));
    String ok = startContainer(cri, sandboxId, sb, container("ok", "sh", "-c", "exit 0").build());

    ContainerStatus f = waitExited(cri, failing);
    assertEquals(3, f.getExitCode());
    assertEquals("Error", f.getReason());
    assertTrue(f.getStartedAt() > 0 && f.getFinishedAt() >= f.getStartedAt(), f::toString);
    assertTrue(f.getFinishedAt() - f.getStartedAt() >= 200_000_000L, "ran at least its 0.3 s sleep");
    assertEquals("failing", f.getMetadata().getName());

    ContainerStatus o = waitExited(cri, ok);
    assertEquals(0, o.getExitCode());
    assertEquals("Completed", o.getReason());

    await(cri.removeContainer(ok));
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.containerStatus(ok, false)));
    await(cri.removeContainer(ok)); // idempotent
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void logsAreWrittenInCriFormat(String runtime) throws IOException {
    CriClient cri = cri(runtime);
    PodSandboxConfig sb = sandboxConfig("logs", Map.of());
    String sandboxId = runSandbox(cri, sb);
    String id = startContainer(cri, sandboxId, sb,
        container("talker", "sh", "-c", "echo hello out; echo oops err >&2; echo second line").build());
    waitExited(cri, id);
    Path log = Path.of(sb.getLogDirectory(), "talker/0.log");
    assertEquals(log.toString(), await(cri.containerStatus(id, false)).getStatus().getLogPath());
    List<String> lines = waitForLines(log, 3);
    for (String line : lines) {
      assertTrue(CRI_LOG_LINE.matcher(line).matches(), "not a CRI log line: " + line);
    }
    assertTrue(lines.stream().anyMatch(l -> l.matches(".* stdout F hello out$")), lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches(".* stderr F oops err$")), lines::toString);
    assertTrue(lines.stream().anyMatch(l -> l.matches(".* stdout F second line$")), lines::toString);
  }

  private static List<String> waitForLines(Path log, int count) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        if (lines.size() >= count) {
          return lines;
        }
      }
      sleep(50);
    }
    return fail("log " + log + " did not get " + count + " lines");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void execSyncReturnsOutputAndExitCode(String runtime) {
    CriClient cri = cri(runtime);
    PodSandboxConfig sb = sandboxConfig("exec", Map.of());
    String sandboxId = runSandbox(cri, sb);
    String id = startContainer(cri, sandboxId, sb, container("sleeper", "sh", "-c", "sleep 600")
        .addEnvs(KeyValue.newBuilder().setKey("GREETING").setValue("hi from env"))
        .setWorkingDir("/tmp").build());
    waitFor(cri, id, s -> s.getState() == ContainerState.CONTAINER_RUNNING, Duration.ofSeconds(10));

    ExecSyncResponse r = await(cri.execSync(id, List.of("sh", "-c", "echo \"$GREETING\"; pwd; echo bad >&2; exit 7"),
        Duration.ofSeconds(10)));
    assertEquals(7, r.getExitCode());
    assertEquals("hi from env\n/tmp\n", r.getStdout().toStringUtf8());
    assertEquals("bad\n", r.getStderr().toStringUtf8());

    ExecSyncResponse ok = await(cri.execSync(id, List.of("true"), Duration.ofSeconds(10)));
    assertEquals(0, ok.getExitCode());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void stopHonoursTheTimeout(String runtime) {
    CriClient cri = cri(runtime);
    PodSandboxConfig sb = sandboxConfig("stop", Map.of());
    String sandboxId = runSandbox(cri, sb);
    String polite = startContainer(cri, sandboxId, sb,
        container("polite", "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done").build());
    String stubborn = startContainer(cri, sandboxId, sb,
        container("stubborn", "sh", "-c", "trap '' TERM; while true; do sleep 1; done").build());
    waitFor(cri, polite, s -> s.getState() == ContainerState.CONTAINER_RUNNING, Duration.ofSeconds(10));
    waitFor(cri, stubborn, s -> s.getState() == ContainerState.CONTAINER_RUNNING, Duration.ofSeconds(10));
    sleep(300); // let the shells install their traps

    long t0 = System.nanoTime();
    await(cri.stopContainer(polite, 30));
    long politeMillis = (System.nanoTime() - t0) / 1_000_000;
    ContainerStatus p = await(cri.containerStatus(polite, false)).getStatus();
    assertEquals(ContainerState.CONTAINER_EXITED, p.getState());
    assertTrue(politeMillis < 10_000, "a process exiting on SIGTERM stops long before the 30 s timeout: " + politeMillis);

    t0 = System.nanoTime();
    await(cri.stopContainer(stubborn, 2));
    long stubbornMillis = (System.nanoTime() - t0) / 1_000_000;
    ContainerStatus s = await(cri.containerStatus(stubborn, false)).getStatus();
    assertEquals(ContainerState.CONTAINER_EXITED, s.getState());
    assertEquals(137, s.getExitCode(), "SIGKILLed after the timeout");
    assertTrue(stubbornMillis >= 1_800 && stubbornMillis < 15_000, "killed after ~2 s: " + stubbornMillis);

    await(cri.stopContainer(stubborn, 2)); // idempotent on an exited container
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void listFiltersAreHonoured(String runtime) {
    CriClient cri = cri(runtime);
    String run = randomId().substring(0, 8);
    PodSandboxConfig a = sandboxConfig("filter-a", Map.of("run", run, "side", "a"));
    PodSandboxConfig b = sandboxConfig("filter-b", Map.of("run", run, "side", "b"));
    String sa = runSandbox(cri, a);
    String sb = runSandbox(cri, b);
    String runningA = startContainer(cri, sa, a, container("run-a", "sh", "-c", "sleep 600")
        .putLabels("run", run).putLabels("kind", "server").build());
    String exitedA = startContainer(cri, sa, a, container("done-a", "sh", "-c", "exit 0")
        .putLabels("run", run).putLabels("kind", "job").build());
    String createdB = await(cri.createContainer(sb, container("created-b", "sh", "-c", "sleep 600")
        .putLabels("run", run).putLabels("kind", "server").build(), b));
    waitFor(cri, runningA, st -> st.getState() == ContainerState.CONTAINER_RUNNING, Duration.ofSeconds(10));
    waitExited(cri, exitedA);

    assertEquals(Set.of(sa), sandboxIds(cri, PodSandboxFilter.newBuilder().putLabelSelector("run", run)
        .putLabelSelector("side", "a").build()));
    assertEquals(Set.of(sa, sb), sandboxIds(cri, PodSandboxFilter.newBuilder().putLabelSelector("run", run).build()));
    assertEquals(Set.of(sb), sandboxIds(cri, PodSandboxFilter.newBuilder().setId(sb).build()));
    await(cri.stopPodSandbox(sb));
    assertEquals(Set.of(sa), sandboxIds(cri, PodSandboxFilter.newBuilder().putLabelSelector("run", run)
        .setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY)).build()));

    ContainerFilter.Builder mine = ContainerFilter.newBuilder().putLabelSelector("run", run);
    assertEquals(Set.of(runningA, exitedA, createdB), containerIds(cri, mine.build()));
    assertEquals(Set.of(runningA, exitedA), containerIds(cri, mine.clone().setPodSandboxId(sa).build()));
    assertEquals(Set.of(runningA), containerIds(cri, mine.clone()
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING)).build()));
    assertEquals(Set.of(exitedA), containerIds(cri, mine.clone()
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_EXITED)).build()));
    assertEquals(Set.of(runningA), containerIds(cri, mine.clone().putLabelSelector("kind", "server")
        .setPodSandboxId(sa).build()));
    assertEquals(Set.of(createdB), containerIds(cri, ContainerFilter.newBuilder().setId(createdB).build()));
  }

  private static Set<String> sandboxIds(CriClient cri, PodSandboxFilter f) {
    return await(cri.listPodSandbox(f)).stream().map(PodSandbox::getId).collect(Collectors.toSet());
  }

  private static Set<String> containerIds(CriClient cri, ContainerFilter f) {
    return await(cri.listContainers(f)).stream().map(Container::getId).collect(Collectors.toSet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void imagesAreListedWithStatusAndFsInfo(String runtime) {
    CriClient cri = cri(runtime);
    ImageStatusResponse st = await(cri.imageStatus(CriClient.image(CriTarget.IMAGE), false));
    assertTrue(st.hasImage());
    Image image = st.getImage();
    assertFalse(image.getId().isEmpty());
    assertTrue(image.getSize() > 0);
    assertTrue(image.getRepoTagsList().contains(CriTarget.IMAGE), image::toString);
    assertTrue(await(cri.listImages(null)).stream().anyMatch(i -> i.getId().equals(image.getId())));
    assertTrue(await(cri.imageStatus(CriClient.image(image.getId()), false)).hasImage(), "found by ID");

    assertFalse(await(cri.imageStatus(CriClient.image("localhost/never-pulled-" + randomId().substring(0, 6) + ":1"),
        false)).hasImage());

    ImageFsInfoResponse fs = await(cri.imageFsInfo());
    assertFalse(fs.getImageFilesystemsList().isEmpty());
    FilesystemUsage u = fs.getImageFilesystems(0);
    assertTrue(u.getUsedBytes().getValue() > 0, u::toString);
    assertTrue(u.getInodesUsed().getValue() > 0, u::toString);
    assertFalse(u.getFsId().getMountpoint().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void unknownIdsAreNotFound(String runtime) {
    CriClient cri = cri(runtime);
    String nobody = randomId();
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.containerStatus(nobody, false)));
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.podSandboxStatus(nobody, false)));
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.startContainer(nobody)));
    assertEquals(GrpcStatus.NOT_FOUND, statusOf(cri.createContainer(nobody, container("x", "true").build(),
        sandboxConfig("nobody", Map.of()))));
    assertTrue(await(cri.listContainers(ContainerFilter.newBuilder().setPodSandboxId(nobody).build())).isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runtimes")
  void concurrentCreateAndStart(String runtime) {
    CriClient cri = cri(runtime);
    PodSandboxConfig sb = sandboxConfig("crowd", Map.of());
    String sandboxId = runSandbox(cri, sb);
    List<Future<String>> started = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ContainerConfig cfg = container("c" + i, "sh", "-c", "sleep 600").build();
      started.add(cri.createContainer(sandboxId, cfg, sb).compose(id -> cri.startContainer(id).map(id)));
    }
    List<String> ids = await(Future.all(started)).list();
    assertEquals(20, Set.copyOf(ids).size());
    List<Container> running = await(cri.listContainers(ContainerFilter.newBuilder().setPodSandboxId(sandboxId)
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING)).build()));
    assertEquals(Set.copyOf(ids), running.stream().map(Container::getId).collect(Collectors.toSet()));

    await(cri.stopPodSandbox(sandboxId));
    for (String id : ids) {
      assertEquals(ContainerState.CONTAINER_EXITED, await(cri.containerStatus(id, false)).getStatus().getState());
    }
  }
}
