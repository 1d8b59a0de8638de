package io.vertlet.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertlet.cri.CriClient;
import io.vertlet.cri.v1.*;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vertlet bench pods}: the agent as a separate process, measured the way the upstream
 * kubelet was (docs/performance.md, "Pods"): start-up, pod bursts shown Running in {@code /pods}
 * beside the runtime's own view and beside the floor (the same pods started straight through CRI),
 * RSS and CPU from /proc, and a kill -9 restart. Prints figures; does not judge.
 */
@Command(name = "pods", mixinStandardHelpOptions = true,
    description = "Pod start-up latency, footprint and restart of the agent run as a separate process, "
        + "beside the floor (the same pods started straight through CRI).")
public final class PodBenchCommand implements Callable<Integer> {

  @Option(names = "--runtime", defaultValue = "embedded", paramLabel = "embedded|containerd",
      description = "The runtime under the agent (default ${DEFAULT-VALUE}); containerd needs --endpoint.")
  String runtime;

  @Option(names = "--endpoint", paramLabel = "E", description = "containerd's CRI endpoint, unix:///...sock.")
  String endpoint;

  @Option(names = "--pods", defaultValue = "1,30,100", split = ",",
      description = "Burst sizes (default ${DEFAULT-VALUE}); the restart and steady figures use 30 if listed.")
  List<Integer> pods;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of every scenario (default ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--agent-jar", defaultValue = "target/vertlet.jar", description = "The agent (default ${DEFAULT-VALUE}).")
  Path agentJar;

  @Option(names = "--java-opts", paramLabel = "FLAGS",
      description = "JVM flags for the agent (default: the flags this command runs with, i.e. the launcher's).")
  String javaOpts;

  @Option(names = "--steady-seconds", defaultValue = "10", description = "Steady CPU window (default ${DEFAULT-VALUE}).")
  int steadySeconds;

  @Option(names = "--explain-lag", description = "After each burst, split every pod's /pods lag at the instant the "
      + "agent journaled its container started (from the agent's /journal): runtime → journal, journal → /pods.")
  boolean explainLag;

  @Option(names = "--image", defaultValue = "localhost/busybox:1.35", description = "Container image (default ${DEFAULT-VALUE}).")
  String image;

  private static final long POLL_MS = 50;
  private static final int STEADY_PODS = 30;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, List<Double>> results = new LinkedHashMap<>();
  private Vertx vertx;
  private Path tmp;
  private int burstCounter;

  @Override
  public Integer call() throws Exception {
    if (!runtime.equals("embedded") && !runtime.equals("containerd")) {
      System.err.println("vertlet bench pods: --runtime must be embedded or containerd, not " + runtime);
      return 2;
    }
    if (runtime.equals("containerd") && (endpoint == null || endpoint.isBlank())) {
      System.err.println("vertlet bench pods: --runtime containerd needs --endpoint unix:///...sock");
      return 2;
    }
    if (!Files.isRegularFile(agentJar)) {
      System.err.println("vertlet bench pods: no agent jar at " + agentJar.toAbsolutePath() + " (--agent-jar)");
      return 2;
    }
    List<String> jvm = javaOpts != null ? split(javaOpts) : ManagementFactory.getRuntimeMXBean().getInputArguments()
        .stream().filter(a -> !a.startsWith("-Dpicocli") && !a.startsWith("-agentlib")).toList();
    vertx = Vertx.vertx();
    tmp = Files.createTempDirectory("vertlet-bench-pods");
    System.out.printf(Locale.ROOT, "pod benchmark: runtime %s, bursts %s, %d runs, %d CPUs, agent JVM flags: %s%n",
        runtime, pods, runs, Runtime.getRuntime().availableProcessors(), String.join(" ", jvm));
    try {
      for (int run = 1; run <= runs; run++) {
        System.out.printf("-- run %d/%d%n", run, runs);
        coldStart(jvm, run);
        agentScenarios(jvm, run);
        for (int n : pods) {
          floor(n, run);
        }
      }
      print();
      return 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      deleteQuietly(tmp);
    }
  }

  // ---------------------------------------------------------------- scenarios

  /** exec → healthz and exec → first pod Running, with the manifest already in the folder. */
  private void coldStart(List<String> jvm, int run) throws Exception {
    try (AgentProcess agent = new AgentProcess(jvm, "cold-" + run)) {
      writeManifests(agent.manifests, agent.staging, "bench-cold" + run, 1);
      long t0 = agent.start();
      double healthz = agent.awaitHealthz(t0);
      try (CriClient cri = agent.cri()) {
        Burst b = awaitRunning(agent, cri, t0, "bench-cold" + run, 1, Duration.ofSeconds(60));
        record("exec → healthz 200 (s)", healthz);
        record("exec → pod running in the runtime, manifest present (s)", b.runtimeAll);
        record("exec → pod Running in /pods, manifest present (s)", b.podsAll);
        agent.deleteAllAndWait(cri);
      }
      agent.stop();
    }
  }

  /** Idle, bursts, steady state with 30 pods, kill -9 and restart with 30 pods. */
  private void agentScenarios(List<String> jvm, int run) throws Exception {
    try (AgentProcess agent = new AgentProcess(jvm, "agent-" + run)) {
      long t0 = agent.start();
      agent.awaitHealthz(t0);
      Thread.sleep(2000); // let start-up work (JIT, first relists) settle before calling it idle
      record("idle RSS, 0 pods (MiB)", rssMiB(agent.pid()));
      record("idle CPU, 0 pods (cores)", cpuCores(agent.pid(), 5));
      try (CriClient cri = agent.cri()) {
        for (int n : pods) {
          String prefix = "bench-b" + (++burstCounter) + "-";
          long cpu0 = cpuTicks(agent.pid());
          long start = writeManifests(agent.manifests, agent.staging, prefix, n);
          Burst b = awaitRunning(agent, cri, start, prefix, n, Duration.ofSeconds(60 + n));
          long cpu = cpuTicks(agent.pid()) - cpu0;
          record(n + " pods: → running in the runtime (s)", b.runtimeAll);
          record(n + " pods: → all Running in /pods (s)", b.podsAll);
          record(n + " pods: /pods behind the runtime, all (ms)", (b.podsAll - b.runtimeAll) * 1000);
          record(n + " pods: /pods behind the runtime, worst pod (ms)", b.worstPodLagMs);
          record(n + " pods: agent CPU during the burst (s)", cpu / 100.0);
          Thread.sleep(1000);
          record(n + " pods: agent RSS (MiB)", rssMiB(agent.pid()));
          if (n == STEADY_PODS) {
            Helpers h = agent.helpers();
            record("30 pods: runtime/helper processes (count)", h.count);
            record("30 pods: runtime + helpers RSS (MiB)", h.rssMiB);
            record("30 pods: node overhead = agent + runtime + helpers RSS (MiB)", rssMiB(agent.pid()) + h.rssMiB);
            record("30 pods: steady agent CPU (cores)", cpuCores(agent.pid(), steadySeconds));
            killAndRestart(agent, cri, prefix);
          }
          agent.deleteAllAndWait(cri);
        }
      }
      agent.stop();
    }
  }

  private void killAndRestart(AgentProcess agent, CriClient cri, String prefix) throws Exception {
    Set<String> before = runningIds(cri);
    agent.kill9();
    long t0 = agent.start();
    record("kill -9 with 30 pods → healthz 200 (s)", agent.awaitHealthz(t0));
    Burst b = awaitRunning(agent, cri, t0, prefix, STEADY_PODS, Duration.ofSeconds(60));
    record("kill -9 with 30 pods → all Running in /pods (s)", b.podsAll);
    Thread.sleep(2000); // a recreation would show up as new container IDs within a relist or two
    Set<String> after = runningIds(cri);
    long recreated = after.stream().filter(id -> !before.contains(id)).count();
    record("kill -9 with 30 pods → containers recreated (count)", recreated);
  }

  /** The same N pods started straight through CRI by a parallel client: no agent. */
  private void floor(int n, int run) throws Exception {
    Path root = tmp.resolve("floor-" + n + "-" + run);
    Files.createDirectories(root);
    Process serve = null;
    String ep = endpoint;
    try {
      if (runtime.equals("embedded")) {
        Path sock = root.resolve("cri.sock");
        serve = new ProcessBuilder(command(List.of(), List.of("runtime", "serve", "--socket", sock.toString(),
            "--state-dir", root.resolve("state").toString()))).redirectErrorStream(true)
            .redirectOutput(root.resolve("runtime.log").toFile()).start();
        ep = "unix://" + sock;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(sock)) {
          if (System.nanoTime() > deadline || !serve.isAlive()) {
            throw new IllegalStateException("embedded runtime did not start; see " + root.resolve("runtime.log"));
          }
          Thread.sleep(20);
        }
      }
      try (CriClient cri = CriClient.create(vertx, ep, Duration.ofMinutes(2), new SimpleMeterRegistry())) {
        awaitNoRunning(cri, Duration.ofSeconds(60));
        if (!await(cri.imageStatus(CriClient.image(image), false)).hasImage()) {
          await(cri.pullImage(CriClient.image(image), null, null)); // the embedded runtime records the name
        }
        String tag = "floor-" + n + "-" + run;
        NamespaceOption host = NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE)
            .setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD).build();
        List<Future<String>> started = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          String uid = UUID.randomUUID().toString();
          PodSandboxConfig sb = PodSandboxConfig.newBuilder()
              .setMetadata(PodSandboxMetadata.newBuilder().setName(tag + "-" + i).setNamespace("bench").setUid(uid))
              .setLogDirectory(root.resolve("logs").resolve(uid).toString())
              .setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(
                  LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(host)))
              .build();
          ContainerConfig cfg = ContainerConfig.newBuilder()
              .setMetadata(ContainerMetadata.newBuilder().setName("sleep"))
              .setImage(ImageSpec.newBuilder().setImage(image))
              .addAllCommand(List.of("sleep", "3600")).setLogPath("sleep.log")
              .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(
                  LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(host)))
              .build();
          started.add(cri.runPodSandbox(sb, "")
              .compose(sid -> cri.createContainer(sid, cfg, sb).compose(cid -> cri.startContainer(cid)).map(sid)));
        }
        double all = -1;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60 + n);
        while (System.nanoTime() < deadline) {
          if (runningIds(cri).size() >= n) {
            all = (System.nanoTime() - t0) / 1e9;
            break;
          }
          Thread.sleep(POLL_MS);
        }
        List<String> sandboxes = new ArrayList<>();
        for (Future<String> f : started) {
          try {
            sandboxes.add(await(f));
          } catch (RuntimeException e) {
            System.out.println("floor: a pod failed to start: " + e.getMessage());
          }
        }
        if (all < 0) {
          System.out.printf("floor: %d pods not all running within the deadline%n", n);
        } else {
          record(n + " pods: floor (raw CRI) → running in the runtime (s)", all);
        }
        removeSandboxes(cri);
      }
    } finally {
      if (serve != null) {
        stop(serve);
        ProcessSweep.killAllNaming(root + "/");
      }
    }
  }

  // ---------------------------------------------------------------- the agent process

  private final class AgentProcess implements AutoCloseable {
    final Path root;
    final Path manifests;
    final Path staging;
    final Path config;
    final Path log;
    final int readOnlyPort = freePort();
    final int healthzPort = freePort();
    final int port = freePort();
    final List<String> jvm;
    Process process;

    AgentProcess(List<String> jvm, String name) throws IOException {
      this.jvm = jvm;
      root = tmp.resolve(name);
      manifests = root.resolve("manifests");
      staging = root.resolve("staging");
      config = root.resolve("kubelet.yaml");
      log = root.resolve("agent.log");
      Files.createDirectories(manifests);
      Files.createDirectories(staging);
      Files.writeString(config, ThrowAwayAgentConfig.yaml(manifests, port, readOnlyPort, healthzPort));
    }

    long start() throws IOException {
      List<String> args = new ArrayList<>(List.of("run", "--config=" + config, "--root-dir=" + root.resolve("var"),
          "--hostname-override=bench-node", "--node-ip=127.0.0.1"));
      if (runtime.equals("containerd")) {
        args.add("--container-runtime-endpoint=" + endpoint);
      }
      ProcessBuilder pb = new ProcessBuilder(command(jvm, args)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      long t0 = System.nanoTime();
      process = pb.start();
      return t0;
    }

    long pid() {
      return process.pid();
    }

    String criEndpoint() {
      return runtime.equals("containerd") ? endpoint : "unix://" + io.vertlet.runtime.EmbeddedRuntime.defaultSocket(root.resolve("var"));
    }

    CriClient cri() {
      return CriClient.create(vertx, criEndpoint(), Duration.ofMinutes(2), new SimpleMeterRegistry());
    }

    double awaitHealthz(long t0) throws InterruptedException {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the agent exited with " + process.exitValue() + "; see " + log);
        }
        try {
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthzPort
              + "/healthz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return (System.nanoTime() - t0) / 1e9;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(10);
      }
      throw new IllegalStateException("no healthz 200 within 60 s; see " + log);
    }

    JsonArray pods() {
      TimedPods t = timedPods();
      return t == null ? null : t.items();
    }

    /**
     * GET /pods; {@code at} is when the answer arrived, taken before the bench parses it (parsing 100 pods
     * is the bench's own CPU work, and counting it would add it to the agent's lag).
     */
    TimedPods timedPods() {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + readOnlyPort
            + "/pods")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        long at = System.nanoTime();
        if (r.statusCode() != 200) {
          return null;
        }
        JsonArray items = new JsonObject(r.body()).getJsonArray("items");
        return new TimedPods(at, items == null ? new JsonArray() : items);
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    /** Deletes every manifest, waits until /pods is empty and nothing of ours runs in the runtime. */
    void deleteAllAndWait(CriClient cri) throws Exception {
      try (var files = Files.list(manifests)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (System.nanoTime() < deadline) {
        JsonArray p = pods();
        if (p != null && p.isEmpty() && runningIds(cri).isEmpty()) {
          return;
        }
        Thread.sleep(200);
      }
      System.out.println("cleanup: pods still present after 90 s; removing them through CRI");
      removeSandboxes(cri);
    }

    Helpers helpers() {
      String marker = runtime.equals("containerd") ? markerOf(endpoint) : root + "/";
      return Helpers.of(marker, pid());
    }

    void kill9() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
      PodBenchCommand.stop(process);
    }

    @Override
    public void close() throws Exception {
      if (process != null && process.isAlive()) {
        PodBenchCommand.stop(process);
      }
      if (runtime.equals("embedded")) {
        ProcessSweep.killAllNaming(root + "/"); // the shim and its containers outlive the agent by design
      } else {
        try (CriClient cri = cri()) {
          removeSandboxes(cri);
        } catch (RuntimeException e) {
          System.out.println("cleanup: " + e.getMessage());
        }
      }
    }
  }

  private record Burst(double runtimeAll, double podsAll, double worstPodLagMs) {}

  /** One /pods answer and the instant ({@code System.nanoTime}) it arrived. */
  private record TimedPods(long at, JsonArray items) {}

  /**
   * Polls /pods and the runtime every 50 ms each (two threads) until all {@code n} pods named
   * {@code prefix...} are Running in both; per pod, when it was first seen in each.
   */
  private Burst awaitRunning(AgentProcess agent, CriClient cri, long t0, String prefix, int n, Duration timeout)
      throws Exception {
    Map<String, Long> inRuntime = new ConcurrentHashMap<>();
    Map<String, Long> inPods = new ConcurrentHashMap<>();
    long deadline = t0 + timeout.toNanos();
    Thread runtimePoller = Thread.ofPlatform().name("bench-runtime-poll").start(() -> {
      while (inRuntime.size() < n && System.nanoTime() < deadline) {
        try {
          List<Container> cs = await(cri.listContainers(ContainerFilter.newBuilder()
              .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING)).build()));
          long now = System.nanoTime();
          for (Container c : cs) {
            String pod = c.getLabelsMap().getOrDefault("io.kubernetes.pod.name", "");
            if (pod.startsWith(prefix)) {
              inRuntime.putIfAbsent(pod, now);
            }
          }
        } catch (RuntimeException e) {
          // runtime not up yet (cold start of the embedded runtime)
        }
        sleepQuietly(POLL_MS);
      }
    });
    while (inPods.size() < n && System.nanoTime() < deadline) {
      TimedPods answer = agent.timedPods();
      if (answer != null) {
        JsonArray items = answer.items();
        long now = answer.at();
        for (int i = 0; i < items.size(); i++) {
          JsonObject pod = items.getJsonObject(i);
          String name = pod.getJsonObject("metadata", new JsonObject()).getString("name", "");
          if (name.startsWith(prefix) && runningPod(pod)) {
            inPods.putIfAbsent(name, now);
          }
        }
      }
      Thread.sleep(POLL_MS);
    }
    runtimePoller.join(timeout.toMillis());
    if (inPods.size() < n || inRuntime.size() < n) {
      System.out.println("agent log tail:\n" + tail(agent.log, 30));
      throw new IllegalStateException(String.format("%s: only %d/%d Running in /pods and %d/%d in the runtime "
          + "after %s; see %s", prefix, inPods.size(), n, inRuntime.size(), n, timeout, agent.log));
    }
    double podsAll = (Collections.max(inPods.values()) - t0) / 1e9;
    double runtimeAll = (Collections.max(inRuntime.values()) - t0) / 1e9;
    double worst = 0;
    for (var e : inPods.entrySet()) {
      Long r = inRuntime.get(e.getKey());
      if (r != null) {
        worst = Math.max(worst, (e.getValue() - r) / 1e6);
      }
    }
    if (explainLag) {
      explainLag(agent, t0, prefix, inRuntime, inPods);
    }
    return new Burst(runtimeAll, podsAll, worst);
  }

  /**
   * Where each pod's lag went: from the runtime showing its container running to the agent journaling
   * ContainerStarted (the CRI call's return and the worker), and from there to /pods showing it (commit,
   * projection, rendering). Journal instants are wall-clock; the bench's are System.nanoTime, mapped here.
   */
  private void explainLag(AgentProcess agent, long t0, String prefix, Map<String, Long> inRuntime,
      Map<String, Long> inPods) {
    long wallNanosAtNano = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    Map<String, Long> journaled = new HashMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.readOnlyPort
          + "/journal?since=0&limit=10000")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      JsonArray records = new JsonObject(r.body()).getJsonArray("records");
      for (int i = 0; i < records.size(); i++) {
        JsonObject rec = records.getJsonObject(i);
        if (!"ContainerStarted".equals(rec.getString("type")) || !(rec.getValue("pod") instanceof String pod)) {
          continue;
        }
        String name = pod.substring(pod.indexOf('/') + 1);
        java.time.Instant at = java.time.Instant.parse(rec.getString("at"));
        long atNano = at.getEpochSecond() * 1_000_000_000L + at.getNano() - wallNanosAtNano;
        if (name.startsWith(prefix) && atNano >= t0) { // after a restart: only what this agent started
          journaled.putIfAbsent(name, atNano);
        }
      }
    } catch (IOException | RuntimeException e) {
      System.out.println("explain-lag: cannot read the agent's journal: " + e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    List<Double> toJournal = new ArrayList<>();
    List<Double> toPods = new ArrayList<>();
    for (var e : inPods.entrySet()) {
      Long runtimeAt = inRuntime.get(e.getKey());
      Long journalAt = journaled.get(e.getKey());
      if (runtimeAt != null && journalAt != null) {
        toJournal.add((journalAt - runtimeAt) / 1e6);
        toPods.add((e.getValue() - journalAt) / 1e6);
      }
    }
    Collections.sort(toJournal);
    Collections.sort(toPods);
    if (toJournal.isEmpty()) {
      System.out.println("explain-lag " + prefix + ": no container was started (adopted ones are not journaled as started)");
      return;
    }
    System.out.printf(Locale.ROOT, "explain-lag %s (%d pods, ms): runtime → journaled p50 %.0f max %.0f; "
            + "journaled → /pods p50 %.0f max %.0f%n", prefix, toJournal.size(), toJournal.get(toJournal.size() / 2),
        toJournal.getLast(), toPods.get(toPods.size() / 2), toPods.getLast());
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static boolean runningPod(JsonObject pod) {
    JsonObject status = pod.getJsonObject("status");
    if (status == null || !"Running".equals(status.getString("phase"))) {
      return false;
    }
    JsonArray cs = status.getJsonArray("containerStatuses");
    if (cs == null || cs.isEmpty()) {
      return false;
    }
    for (int i = 0; i < cs.size(); i++) {
      JsonObject state = cs.getJsonObject(i).getJsonObject("state");
      if (state == null || state.getJsonObject("running") == null) {
        return false;
      }
    }
    return true;
  }

  /** Writes n manifests to the staging folder, then renames them all into the pod folder; returns t0. */
  private long writeManifests(Path manifests, Path staging, String prefix, int n) throws IOException {
    List<Path> staged = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = prefix + i;
      Path f = staging.resolve(name + ".yaml");
      Files.writeString(f, """
          apiVersion: v1
          kind: Pod
          metadata:
            name: %s
            namespace: default
          spec:
            hostNetwork: true
            terminationGracePeriodSeconds: 1
            containers:
            - name: sleep
              image: %s
              imagePullPolicy: IfNotPresent
              command: ["sleep", "3600"]
          """.formatted(name, image));
      staged.add(f);
    }
    long t0 = System.nanoTime();
    for (Path f : staged) {
      Files.move(f, manifests.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }
    return t0;
  }

  // ---------------------------------------------------------------- runtime helpers

  private static Set<String> runningIds(CriClient cri) {
    return await(cri.listContainers(ContainerFilter.newBuilder()
        .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING)).build()))
        .stream().map(Container::getId).collect(Collectors.toSet());
  }

  private static void awaitNoRunning(CriClient cri, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (runningIds(cri).isEmpty()) {
          return;
        }
      } catch (RuntimeException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    removeSandboxes(cri);
  }

  /** Stops and removes every sandbox in the runtime (the bench's runtime is its own). */
  private static void removeSandboxes(CriClient cri) {
    List<Future<Void>> all = new ArrayList<>();
    for (PodSandbox s : await(cri.listPodSandbox(PodSandboxFilter.getDefaultInstance()))) {
      all.add(cri.stopPodSandbox(s.getId()).compose(v -> cri.removePodSandbox(s.getId())));
    }
    for (Future<Void> f : all) {
      try {
        await(f);
      } catch (RuntimeException e) {
        System.out.println("cleanup: " + e.getMessage());
      }
    }
  }

  /** Processes of the runtime beside the agent: their count and summed VmRSS. */
  private record Helpers(int count, double rssMiB) {
    static Helpers of(String marker, long agentPid) {
      int count = 0;
      double rss = 0;
      for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
        if (p.pid() != agentPid && ProcessSweep.cmdline(p.pid()).contains(marker)) {
          count++;
          rss += PodBenchCommand.rssMiB(p.pid());
        }
      }
      return new Helpers(count, rss);
    }
  }

  /** containerd and its shims name the testbed's folder (config, socket) on their command lines. */
  private static String markerOf(String endpoint) {
    String path = endpoint.replaceFirst("^unix://", "");
    return Path.of(path).getParent().toString() + "/";
  }

  // ---------------------------------------------------------------- /proc

  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return 0;
  }

  /** utime + stime in clock ticks (USER_HZ = 100 on Linux). */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static double cpuCores(long pid, int seconds) throws InterruptedException {
    long c0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    return (cpuTicks(pid) - c0) / 100.0 / ((System.nanoTime() - t0) / 1e9);
  }

  // ---------------------------------------------------------------- plumbing

  private List<String> command(List<String> jvm, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(agentJar.toAbsolutePath().toString());
    cmd.addAll(args);
    return cmd;
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy(); // SIGTERM: the agent's orderly shutdown
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void record(String what, double value) {
    results.computeIfAbsent(what, k -> new ArrayList<>()).add(value);
    System.out.printf(Locale.ROOT, "   %-62s %10.3f%n", what, value);
  }

  private void print() {
    System.out.printf(Locale.ROOT, "%nruntime %s, %d runs: min / p50 / max%n", runtime, runs);
    for (var e : results.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(Locale.ROOT, "%-66s %9.3f %9.3f %9.3f%n", e.getKey(), v[0], v[(v.length - 1) / 2],
          v[v.length - 1]);
    }
    for (int n : pods) {
      List<Double> agent = results.get(n + " pods: → all Running in /pods (s)");
      List<Double> floor = results.get(n + " pods: floor (raw CRI) → running in the runtime (s)");
      if (agent != null && floor != null) {
        System.out.printf(Locale.ROOT, "%d pods: agent (/pods) / floor, p50: %.2f×, max: %.2f×%n", n,
            median(agent) / median(floor), Collections.max(agent) / Collections.max(floor));
      }
    }
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    return s.get((s.size() - 1) / 2);
  }

  private static List<String> split(String flags) {
    return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path p) {
    try (var walk = Files.walk(p)) {
      List<Path> all = new ArrayList<>(walk.toList());
      Collections.reverse(all);
      for (Path q : all) {
        Files.deleteIfExists(q);
      }
    } catch (Exception e) {
      // best effort
    }
  }
}
