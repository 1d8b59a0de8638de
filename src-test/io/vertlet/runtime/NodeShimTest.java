package io.vertlet.runtime;

import static io.vertlet.runtime.EmbeddedRuntimeRestartTest.await;
import static io.vertlet.runtime.EmbeddedRuntimeRestartTest.sleep;
import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.*;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node-wide shim (shim.pl) behind the embedded runtime: one process for all containers, logs
 * and exit statuses that survive the runtime, what a killed shim means, shims of two versions side
 * by side, CRI log lines (partial lines, per-stream order), and that perl-base alone suffices.
 */
class NodeShimTest {

  private static final Pattern LOG_LINE =
      Pattern.compile("(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z) (stdout|stderr) ([FP]) (.*)");
  private static final Path PERL_BASE = Path.of("/usr/lib/x86_64-linux-gnu/perl-base");

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
    runtime = start(null);
    cri = CriClient.create(vertx, runtime.endpoint(), Duration.ofSeconds(30), new SimpleMeterRegistry());
    await(cri.pullImage(CriClient.image("localhost/busybox:1.35"), null, null));
    sandbox = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName("shim").setNamespace("test")
            .setUid(UUID.randomUUID().toString()))
        .setLogDirectory(tmp.resolve("logs").toString()).build();
    sandboxId = await(cri.runPodSandbox(sandbox, ""));
  }

  @AfterEach
  void tearDown() {
    try {
      if (runtime != null) {
        try {
          await(cri.removePodSandbox(sandboxId));
        } finally {
          await(runtime.stop());
        }
      }
    } finally {
      cri.close();
      await(vertx.close());
      // Shims exit by themselves once idle; do not leave them for the next test class meanwhile.
      helpers().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private EmbeddedRuntime start(byte[] script) {
    EmbeddedRuntime r = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state"));
    if (script != null) {
      r.shimScript(script);
    }
    await(r.start(vertx));
    return r;
  }

  private void restart(byte[] script) {
    await(runtime.stop());
    runtime = null;
    runtime = start(script);
  }

  private String run(String name, String script) {
    ContainerConfig cfg = ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setImage(ImageSpec.newBuilder().setImage("localhost/busybox:1.35"))
        .addCommand("sh").addCommand("-c").addCommand(script).setLogPath(name + ".log").build();
    String id = await(cri.createContainer(sandboxId, cfg, sandbox));
    await(cri.startContainer(id));
    return id;
  }

  private ContainerStatus waitFor(String id, Predicate<ContainerStatus> p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ContainerStatus st;
    do {
      st = await(cri.containerStatus(id, false)).getStatus();
      if (p.test(st)) {
        return st;
      }
      sleep(50);
    } while (System.nanoTime() < deadline);
    return fail("unexpected status " + st);
  }

  private long info(String id, String field) {
    String info = await(cri.containerStatus(id, true)).getInfoMap().get("info");
    return Long.parseLong(info.replaceAll(".*\"" + field + "\":(\\d+).*", "$1"));
  }

  /** Processes naming this test's dir on their command line: the runtime's helpers. */
  private List<ProcessHandle> helpers() {
    String marker = tmp.toString() + "/";
    List<ProcessHandle> out = new ArrayList<>();
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      if (cmdline(p.pid()).contains(marker) && p.pid() != ProcessHandle.current().pid()) {
        out.add(p);
      }
    }
    return out;
  }

  private static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  private static long pgid(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
  }

  private static void until(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting until " + what);
      }
      sleep(50);
    }
  }

  private record LogLine(String time, String stream, String tag, String text) {}

  private List<LogLine> log(String name) throws IOException {
    List<LogLine> out = new ArrayList<>();
    for (String line : Files.readAllLines(tmp.resolve("logs").resolve(name + ".log"), StandardCharsets.UTF_8)) {
      Matcher m = LOG_LINE.matcher(line);
      assertTrue(m.matches(), "not a CRI log line: " + line);
      out.add(new LogLine(m.group(1), m.group(2), m.group(3), m.group(4)));
    }
    return out;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  // ------------------------------------------------------------------------------ tests

  @Test
  void oneShimServesEveryContainerOutsideTheirProcessGroups() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(run("c" + i, "sleep 600"));
    }
    long shim = info(ids.get(0), "supervisorPid");
    for (String id : ids) {
      waitFor(id, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
      assertEquals(shim, info(id, "supervisorPid"), "the same shim for every container");
      long pid = info(id, "pid");
      assertEquals(pid, pgid(pid), "the main process leads its own process group");
    }
    assertNotEquals(pgid(info(ids.get(0), "pid")), pgid(shim), "the shim stays outside the containers' groups");
    List<ProcessHandle> helpers = helpers();
    assertEquals(List.of(shim), helpers.stream().map(ProcessHandle::pid).toList(),
        "one helper process for 5 containers: " + helpers.stream().map(p -> cmdline(p.pid())).toList());
    assertTrue(ProcessHandle.of(shim).orElseThrow().parent().map(p -> p.pid() != ProcessHandle.current().pid())
        .orElse(true), "the shim is not the runtime's child");

    await(cri.stopContainer(ids.get(1), 0));
    ContainerStatus st = await(cri.containerStatus(ids.get(1), false)).getStatus();
    assertEquals(137, st.getExitCode(), "SIGKILL = 128 + 9");
    assertTrue(alive(info(ids.get(0), "pid")), "the other containers run on");
  }

  @Test
  void aStateDirTooDeepForAUnixSocketKeepsItsShimSocketElsewhere() throws Exception {
    Path deep = tmp.resolve("d".repeat(60)).resolve("e".repeat(60)).resolve("state");
    Files.createDirectories(deep);
    Path socket = NodeShim.socketPath(deep, "0123456789ab");
    assertFalse(socket.startsWith(deep), "no room beside the script: " + socket);
    assertTrue(socket.toString().length() <= 107, socket::toString);
    assertEquals(socket, NodeShim.socketPath(deep, "0123456789ab"), "a restarted runtime finds the same socket");
    assertNotEquals(socket, NodeShim.socketPath(deep.resolveSibling("other-state-dir-with-a-long-name"), "0123456789ab"),
        "another state dir, another shim");
    assertEquals(tmp.resolve("state/shim-0123456789ab.sock"), NodeShim.socketPath(tmp.resolve("state"), "0123456789ab"),
        "a short state dir keeps its socket beside the script");

    // A shim killed with SIGKILL left its socket in the shared dir: the next install sweeps it.
    Path dead = socket.resolveSibling("0000000000000000-dead00000000.sock");
    try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(dead));
    }
    assertTrue(Files.exists(dead), "closing a unix server socket leaves its file");

    NodeShim shim = NodeShim.install(deep);
    assertFalse(Files.exists(dead), "a socket nobody answers on is swept");
    try {
      shim.connect();
      assertTrue(Files.exists(shim.socket()), "the shim listens on " + shim.socket());
      assertTrue(cmdline(shim.pid()).contains(deep.toString()), "the shim still names its state dir");
    } finally {
      shim.close();
      ProcessHandle.of(shim.pid()).ifPresent(ProcessHandle::destroyForcibly);
      Files.deleteIfExists(shim.socket()); // killed, it could not unlink it
    }
  }

  @Test
  void exitCodeAndLogsSurviveARuntimeRestart() throws Exception {
    String id = run("survivor", "echo before; sleep 1.5; echo after >&2; exit 7");
    waitFor(id, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long shim = info(id, "supervisorPid");
    await(runtime.stop());
    runtime = null;
    sleep(2_500); // it ends while no runtime runs
    runtime = start(null);
    ContainerStatus st = waitFor(id, s -> s.getState() == ContainerState.CONTAINER_EXITED);
    assertEquals(7, st.getExitCode());
    assertEquals("Error", st.getReason());
    assertTrue(st.getFinishedAt() > st.getStartedAt(), "times from the shim's files");
    List<LogLine> log = log("survivor");
    assertEquals(List.of("stdout F before", "stderr F after"),
        log.stream().map(l -> l.stream() + " " + l.tag() + " " + l.text()).toList());
    String next = run("next", "sleep 600");
    assertEquals(shim, info(next, "supervisorPid"), "the restarted runtime re-attached to the same shim");
  }

  @Test
  void aKilledShimLeavesOrphansRunningAndTheirStatusLost() throws Exception {
    String id = run("orphan", "sleep 600");
    waitFor(id, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long shim = info(id, "supervisorPid");
    long pid = info(id, "pid");
    ProcessHandle.of(shim).orElseThrow().destroyForcibly();
    until(() -> !alive(shim), "the shim is gone");
    assertEquals(ContainerState.CONTAINER_RUNNING, await(cri.containerStatus(id, false)).getStatus().getState(),
        "an orphan still running counts as running");

    String next = run("next", "echo hello; sleep 600");
    long newShim = info(next, "supervisorPid");
    assertNotEquals(shim, newShim, "a new shim serves new containers");
    until(() -> {
      try {
        return Files.exists(tmp.resolve("logs/next.log")) && !log("next").isEmpty();
      } catch (IOException e) {
        return false;
      }
    }, "the new shim writes logs");

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    ContainerStatus st = waitFor(id, s -> s.getState() == ContainerState.CONTAINER_EXITED);
    assertEquals(255, st.getExitCode());
    assertEquals("Unknown", st.getReason());
    assertTrue(st.getMessage().contains("exit status lost"), st::getMessage);
  }

  @Test
  void anOldShimKeepsItsContainersBesideANewOneAndLeavesWhenIdle() throws Exception {
    // Another vertlet version: another script (so another hash and socket), one that idles out fast.
    String builtIn = new String(NodeShim.builtInScript(), StandardCharsets.UTF_8);
    assertTrue(builtIn.contains("my $IDLE = 10;"), "the test edits the idle time");
    byte[] older = builtIn.replace("my $IDLE = 10;", "my $IDLE = 1;").getBytes(StandardCharsets.UTF_8);
    restart(older);
    String old = run("old", "echo old; sleep 600");
    waitFor(old, s -> s.getState() == ContainerState.CONTAINER_RUNNING);
    long oldShim = info(old, "supervisorPid");

    restart(null); // the upgrade
    String fresh = run("fresh", "echo fresh; sleep 600");
    long newShim = info(fresh, "supervisorPid");
    assertNotEquals(oldShim, newShim, "new containers go to the new version's shim");
    assertEquals(ContainerState.CONTAINER_RUNNING, await(cri.containerStatus(old, false)).getStatus().getState());
    assertTrue(alive(oldShim), "the old shim serves its container on");
    long oldSockets = Files.list(tmp.resolve("state")).filter(p -> p.toString().endsWith(".sock")).count();
    assertEquals(2, oldSockets, "two versions, two sockets");

    await(cri.stopContainer(old, 5));
    ContainerStatus st = await(cri.containerStatus(old, false)).getStatus();
    assertEquals(143, st.getExitCode(), "recorded by the old shim: ended by SIGTERM");
    until(() -> !alive(oldShim), "the old shim, idle and with no runtime, exits by itself");
    assertEquals(1, Files.list(tmp.resolve("state")).filter(p -> p.toString().endsWith(".sock")).count(),
        "the old shim took its socket along");
    assertTrue(alive(newShim), "the new shim, with a runtime connected, stays");
    assertEquals(ContainerState.CONTAINER_RUNNING, await(cri.containerStatus(fresh, false)).getStatus().getState());
  }

  @Test
  void longLinesArePartialAndEachStreamKeepsItsOrder() throws Exception {
    String id = run("talker", "head -c 40000 /dev/zero | tr '\\0' x; echo; "
        + "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo out$i; echo err$i >&2; done; printf unterminated");
    waitFor(id, s -> s.getState() == ContainerState.CONTAINER_EXITED);
    List<LogLine> log = log("talker");
    List<LogLine> out = log.stream().filter(l -> l.stream().equals("stdout")).toList();
    List<LogLine> err = log.stream().filter(l -> l.stream().equals("stderr")).toList();
    assertEquals(List.of("P", "P", "F"), out.subList(0, 3).stream().map(LogLine::tag).toList(),
        "a 40000-byte line: two 16 KiB pieces, then its end");
    assertEquals(40000, out.subList(0, 3).stream().mapToInt(l -> l.text().length()).sum());
    assertTrue(out.subList(0, 3).stream().allMatch(l -> l.text().matches("x+")));
    for (int i = 1; i <= 300; i++) {
      assertEquals("out" + i, out.get(2 + i).text());
      assertEquals("err" + i, err.get(i - 1).text());
    }
    assertEquals(new LogLine(out.getLast().time(), "stdout", "F", "unterminated"), out.getLast(),
        "a last line without newline is logged when the stream ends");
    assertEquals(304, out.size());
    assertEquals(300, err.size());
  }

  @Test
  void aRotatedLogIsReopenedWithoutASignal() throws Exception {
    String id = run("rotated", "i=0; while true; do i=$((i+1)); echo line$i; sleep 0.05; done");
    Path log = tmp.resolve("logs/rotated.log");
    until(() -> Files.exists(log), "the log appears");
    Files.move(log, tmp.resolve("logs/rotated.log.1"));
    until(() -> Files.exists(log), "the shim writes a new file at the path");
    Files.delete(log);
    until(() -> Files.exists(log), "and again after a removal");
    await(cri.stopContainer(id, 0));
  }

  /** perl-base is Essential on Debian; Time::HiRes is not in it: the shim must run on perl-base alone. */
  @Test
  void perlBaseAloneSuffices() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(PERL_BASE), "perl-base's module dir " + PERL_BASE + " (Debian amd64)");
    await(runtime.stop());
    runtime = null;
    Path state = tmp.resolve("bare");
    Files.createDirectories(state.resolve("c"));
    NodeShim shim = NodeShim.install(state);
    // The shim as perl-base alone would run it: no module outside perl-base's directory.
    Process p = new ProcessBuilder("perl", "-e", "BEGIN { @INC = ('" + PERL_BASE + "') } $0 = $ARGV[0]; "
        + "@ARGV = @ARGV[1, 2]; do $0; die $@ if $@", shim.script().toString(), state.toString(),
        shim.socket().toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("bare.log").toFile()).start();
    assertEquals(0, p.waitFor(), () -> read(tmp.resolve("bare.log")));
    try (shim) {
      shim.connect();
      assertTrue(cmdline(shim.pid()).contains("vertlet-shim"), "connected to the perl-base shim");
      long before = EmbeddedClock.nowNanos();
      NodeShim.Started started = shim.start(state.resolve("c"), tmp.resolve("bare-c.log").toString(), tmp,
          List.of(), Map.of("GREETING", "hi\nthere %41"), List.of("sh", "-c", "echo \"$GREETING\"; exit 3"));
      assertTrue(Math.abs(started.startedAt() - before) < TimeUnit.SECONDS.toNanos(5), "sub-second clock");
      assertNotEquals(0, started.startedAt() % 1_000_000_000L, "sub-second clock (syscall clock_gettime)");
      until(() -> Files.exists(state.resolve("c/exit")), "the exit file");
      assertTrue(read(state.resolve("c/exit")).startsWith("3 "));
      List<String> lines = Files.readAllLines(tmp.resolve("bare-c.log"));
      assertEquals(2, lines.size(), lines::toString);
      assertTrue(lines.get(0).endsWith(" stdout F hi"), lines::toString);
      assertTrue(lines.get(1).endsWith(" stdout F there %41"), "env values pass unaltered: " + lines);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }
}
