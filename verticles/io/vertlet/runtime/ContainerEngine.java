package io.vertlet.runtime;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertlet.cri.v1.*;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes and containers of the embedded runtime. Containers are host processes started by the
 * node-wide shim ({@link NodeShim}, {@code shim.pl}), which writes their CRI logs and records their
 * exit statuses in the state dir, so both survive a restart of this runtime. A record's
 * "supervisor" is the shim that started the container (or, for containers of older versions, their
 * per-container bash supervisor: both leave the same {@code pid}/{@code exit} files). Every method
 * blocks (process and file I/O): call from virtual or worker threads. Errors are
 * {@link StatusException}s with the gRPC status a CRI client expects (NOT_FOUND, INVALID_ARGUMENT,
 * FAILED_PRECONDITION, ...).
 */
final class ContainerEngine {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerEngine.class);
  private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final int EXEC_OUTPUT_CAP = 16 * 1024 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RuntimeStore store;
  private final ImageStore images;
  private final NodeShim shim;
  private final Map<String, SandboxRecord> sandboxes = new ConcurrentHashMap<>();
  private final Map<String, ContainerRecord> containers = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final String hostIp = hostIp();
  private final java.util.Optional<Cgroups> cgroups;

  ContainerEngine(RuntimeStore store, ImageStore images, NodeShim shim, java.util.Optional<Cgroups> cgroups) {
    this.store = store;
    this.images = images;
    this.shim = shim;
    this.cgroups = cgroups;
  }

  /** True when container limits are enforced through cgroups, not only recorded. */
  boolean enforcesLimits() {
    return cgroups.isPresent();
  }

  /**
   * Loads the state dir after a restart. Sandboxes keep their state. A container recorded RUNNING is
   * re-adopted while its supervisor (the shim; failing that, its main process) is the same process that
   * was started (PID and /proc start time both match); otherwise it is reported EXITED with the
   * status its supervisor recorded, or 255/Unknown when none was recorded.
   */
  void recover() {
    store.loadSandboxes().forEach(s -> sandboxes.put(s.id(), s));
    int adopted = 0;
    int exited = 0;
    for (ContainerRecord c : store.loadContainers()) {
      containers.put(c.id(), c);
      if (ContainerRecord.RUNNING.equals(c.state())) {
        ContainerRecord now = refresh(c.id());
        if (ContainerRecord.RUNNING.equals(now.state())) {
          adopted++;
        } else {
          exited++;
        }
      }
    }
    if (adopted + exited > 0 || !sandboxes.isEmpty()) {
      LOG.info("embedded runtime: recovered {} sandboxes, {} containers ({} running adopted, {} exited meanwhile)",
          sandboxes.size(), containers.size(), adopted, exited);
    }
  }

  // ------------------------------------------------------------------------------ sandboxes

  String runPodSandbox(RunPodSandboxRequest req) {
    if (!req.hasConfig() || !req.getConfig().hasMetadata()) {
      throw invalid("RunPodSandbox: config.metadata is required");
    }
    PodSandboxMetadata m = req.getConfig().getMetadata();
    if (m.getName().isEmpty() || m.getNamespace().isEmpty() || m.getUid().isEmpty()) {
      throw invalid("RunPodSandbox: config.metadata needs name, namespace and uid");
    }
    synchronized (sandboxes) {
      for (SandboxRecord s : sandboxes.values()) {
        PodSandboxMetadata other = sandboxConfig(s).getMetadata();
        if (other.getName().equals(m.getName()) && other.getNamespace().equals(m.getNamespace())
            && other.getUid().equals(m.getUid()) && other.getAttempt() == m.getAttempt()) {
          throw new StatusException(GrpcStatus.ALREADY_EXISTS, "RunPodSandbox: sandbox " + m.getNamespace() + "/"
              + m.getName() + " attempt " + m.getAttempt() + " already exists as " + s.id());
        }
      }
      SandboxRecord s = new SandboxRecord(newId(), EmbeddedClock.nowNanos(), SandboxRecord.READY,
          req.getRuntimeHandler(), req.getConfig().toByteArray());
      store.save(s);
      sandboxes.put(s.id(), s);
      return s.id();
    }
  }

  void stopPodSandbox(String id) {
    SandboxRecord s = sandbox(id);
    for (ContainerRecord c : containersOf(s.id())) {
      stopContainer(c.id(), 0);
    }
    withLock(s.id(), () -> {
      SandboxRecord now = sandboxes.get(s.id());
      if (now != null && !SandboxRecord.NOTREADY.equals(now.state())) {
        SandboxRecord stopped = now.withState(SandboxRecord.NOTREADY);
        store.save(stopped);
        sandboxes.put(stopped.id(), stopped);
      }
      return null;
    });
  }

  /** Removes a sandbox and its containers; an unknown ID is not an error (the call is idempotent). */
  void removePodSandbox(String id) {
    SandboxRecord s = sandboxes.get(id);
    if (s == null) {
      return;
    }
    for (ContainerRecord c : containersOf(s.id())) {
      removeContainer(c.id());
    }
    withLock(s.id(), () -> {
      store.deleteSandbox(s.id());
      sandboxes.remove(s.id());
      return null;
    });
  }

  PodSandboxStatusResponse podSandboxStatus(String id) {
    SandboxRecord s = sandbox(id);
    PodSandboxConfig cfg = sandboxConfig(s);
    PodSandboxStatus.Builder st = PodSandboxStatus.newBuilder().setId(s.id()).setMetadata(cfg.getMetadata())
        .setState(sandboxState(s)).setCreatedAt(s.createdAt())
        .setNetwork(PodSandboxNetworkStatus.newBuilder().setIp(hostIp))
        .putAllLabels(cfg.getLabelsMap()).putAllAnnotations(cfg.getAnnotationsMap())
        .setRuntimeHandler(s.runtimeHandler());
    NamespaceOption ns = cfg.getLinux().getSecurityContext().getNamespaceOptions();
    st.setLinux(LinuxPodSandboxStatus.newBuilder().setNamespaces(Namespace.newBuilder().setOptions(ns)));
    return PodSandboxStatusResponse.newBuilder().setStatus(st).build();
  }

  List<PodSandbox> listPodSandbox(PodSandboxFilter f) {
    List<PodSandbox> out = new ArrayList<>();
    for (SandboxRecord s : sandboxes.values()) {
      PodSandboxConfig cfg = sandboxConfig(s);
      if (f != null) {
        if (!f.getId().isEmpty() && !s.id().startsWith(f.getId())) {
          continue;
        }
        if (f.hasState() && f.getState().getState() != sandboxState(s)) {
          continue;
        }
        if (!matches(cfg.getLabelsMap(), f.getLabelSelectorMap())) {
          continue;
        }
      }
      out.add(PodSandbox.newBuilder().setId(s.id()).setMetadata(cfg.getMetadata()).setState(sandboxState(s))
          .setCreatedAt(s.createdAt()).putAllLabels(cfg.getLabelsMap()).putAllAnnotations(cfg.getAnnotationsMap())
          .setRuntimeHandler(s.runtimeHandler()).build());
    }
    return out;
  }

  // ------------------------------------------------------------------------------ containers

  String createContainer(CreateContainerRequest req) {
    SandboxRecord s = sandbox(req.getPodSandboxId());
    if (!SandboxRecord.READY.equals(s.state())) {
      throw new StatusException(GrpcStatus.FAILED_PRECONDITION,
          "CreateContainer: sandbox " + s.id() + " is not ready");
    }
    if (!req.hasConfig() || req.getConfig().getMetadata().getName().isEmpty()) {
      throw invalid("CreateContainer: config.metadata.name is required");
    }
    ContainerConfig cfg = req.getConfig();
    ImageRecord image = images.find(cfg.getImage().getImage()).orElseThrow(() -> new StatusException(
        GrpcStatus.NOT_FOUND, "CreateContainer: image \"" + cfg.getImage().getImage()
            + "\" not found (pull it first)"));
    if (cfg.getCommandCount() == 0 && cfg.getArgsCount() == 0) {
      throw invalid("CreateContainer: the embedded runtime needs an explicit command for container \""
          + cfg.getMetadata().getName() + "\" (its images have no filesystem or entrypoint)");
    }
    PodSandboxConfig sandboxCfg = sandboxConfig(s);
    String logPath = cfg.getLogPath().isEmpty() || sandboxCfg.getLogDirectory().isEmpty() ? ""
        : Path.of(sandboxCfg.getLogDirectory()).resolve(cfg.getLogPath()).toAbsolutePath().toString();
    return withLock(s.id(), () -> {
      for (ContainerRecord c : containersOf(s.id())) {
        ContainerMetadata m = config(c).getMetadata();
        if (m.getName().equals(cfg.getMetadata().getName()) && m.getAttempt() == cfg.getMetadata().getAttempt()) {
          throw new StatusException(GrpcStatus.ALREADY_EXISTS, "CreateContainer: container \"" + m.getName()
              + "\" attempt " + m.getAttempt() + " already exists in sandbox " + s.id() + " as " + c.id());
        }
      }
      byte[] resources = cfg.getLinux().hasResources() ? cfg.getLinux().getResources().toByteArray() : new byte[0];
      ContainerRecord c = new ContainerRecord(newId(), s.id(), EmbeddedClock.nowNanos(), ContainerRecord.CREATED,
          image.id(), logPath, cfg.toByteArray(), 0, 0, 0, 0, 0, 0, 0, "", "", resources);
      store.save(c);
      containers.put(c.id(), c);
      return c.id();
    });
  }

  void startContainer(String id) {
    container(id);
    withLock(id, () -> {
      ContainerRecord c = container(id);
      if (!ContainerRecord.CREATED.equals(c.state())) {
        throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "StartContainer: container " + id + " is "
            + c.state() + ", not CREATED");
      }
      SandboxRecord s = sandbox(c.sandboxId());
      if (!SandboxRecord.READY.equals(s.state())) {
        throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "StartContainer: sandbox " + s.id()
            + " is not ready");
      }
      ContainerRecord started = launch(c, config(c));
      store.save(started);
      containers.put(id, started);
      return null;
    });
  }

  private ContainerRecord launch(ContainerRecord c, ContainerConfig cfg) {
    List<String> argv = new ArrayList<>(cfg.getCommandList());
    argv.addAll(cfg.getArgsList());
    Map<String, String> env = containerEnv(cfg);
    Path workDir = Path.of(cfg.getWorkingDir().isEmpty() ? "/" : cfg.getWorkingDir());
    if (!Files.isDirectory(workDir)) {
      throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "StartContainer: working dir " + workDir
          + " of container \"" + cfg.getMetadata().getName() + "\" does not exist");
    }
    String exe = argv.get(0);
    if (resolveExecutable(exe, env.get("PATH"), workDir) == null) {
      throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "StartContainer: exec: \"" + exe
          + "\": executable file not found in $PATH");
    }
    Path dir = store.containerDir(c.id());
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(dir.resolve("pid"));
      Files.deleteIfExists(dir.resolve("exit"));
      if (!c.logPath().isEmpty()) {
        Files.createDirectories(Path.of(c.logPath()).getParent());
      }
    } catch (IOException e) {
      throw new StatusException(GrpcStatus.INTERNAL, "StartContainer: " + e.getMessage());
    }
    List<Path> cgroupProcs = List.of();
    if (cgroups.isPresent()) {
      try {
        cgroupProcs = cgroups.get().create(c.id(), resources(c));
      } catch (IOException e) {
        throw new StatusException(GrpcStatus.INTERNAL, "StartContainer: cannot set up cgroups of " + c.id() + ": "
            + e.getMessage());
      }
    }
    NodeShim.Started started = shim.start(dir, c.logPath(), workDir, cgroupProcs, env, argv);
    long pidStart = HostProcesses.startTime(started.pid()).orElse(-1);
    return c.started(shim.pid(), shim.startTime(), started.pid(), pidStart, started.startedAt());
  }

  /**
   * Stops a container: SIGTERM to its whole process group, SIGKILL to the group after
   * {@code timeoutSeconds} (at once when 0), then waits for the supervisor to record the exit.
   * Idempotent for containers not running.
   */
  void stopContainer(String id, long timeoutSeconds) {
    ContainerRecord c = refresh(container(id).id());
    if (!ContainerRecord.RUNNING.equals(c.state())) {
      return;
    }
    if (timeoutSeconds > 0) {
      signal(c, "TERM");
      if (awaitExit(c, TimeUnit.SECONDS.toMillis(timeoutSeconds))) {
        return;
      }
    }
    signal(c, "KILL");
    if (!awaitExit(c, 10_000)) {
      throw new StatusException(GrpcStatus.DEADLINE_EXCEEDED, "StopContainer: container " + id
          + " still running 10 s after SIGKILL");
    }
  }

  private void signal(ContainerRecord c, String sig) {
    // The group is addressed by the main PID; only signal it while that PID is still our process,
    // or while the supervisor (which kills the group itself once the main process ends) runs.
    if (HostProcesses.alive(c.pid(), c.pidStart())) {
      HostProcesses.signalGroup(c.pid(), sig);
    }
  }

  private boolean awaitExit(ContainerRecord c, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (true) {
      if (!ContainerRecord.RUNNING.equals(refresh(c.id()).state())) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(20);
    }
  }

  /** Removes a container, killing it first if it runs; an unknown ID is not an error. */
  void removeContainer(String id) {
    ContainerRecord c = containers.get(id);
    if (c == null) {
      return;
    }
    stopContainer(id, 0);
    withLock(id, () -> {
      store.deleteContainer(id);
      containers.remove(id);
      cgroups.ifPresent(cg -> cg.remove(id));
      return null;
    });
    locks.remove(id);
  }

  List<Container> listContainers(ContainerFilter f) {
    List<Container> out = new ArrayList<>();
    for (ContainerRecord known : containers.values()) {
      if (f != null && !f.getId().isEmpty() && !known.id().startsWith(f.getId())) {
        continue;
      }
      if (f != null && !f.getPodSandboxId().isEmpty() && !known.sandboxId().startsWith(f.getPodSandboxId())) {
        continue;
      }
      ContainerRecord c = refresh(known.id());
      if (c == null) {
        continue;
      }
      ContainerConfig cfg = config(c);
      if (f != null && f.hasState() && f.getState().getState() != containerState(c)) {
        continue;
      }
      if (f != null && !matches(cfg.getLabelsMap(), f.getLabelSelectorMap())) {
        continue;
      }
      out.add(Container.newBuilder().setId(c.id()).setPodSandboxId(c.sandboxId()).setMetadata(cfg.getMetadata())
          .setImage(cfg.getImage()).setImageRef(c.imageRef()).setState(containerState(c)).setCreatedAt(c.createdAt())
          .putAllLabels(cfg.getLabelsMap()).putAllAnnotations(cfg.getAnnotationsMap()).build());
    }
    return out;
  }

  ContainerStatusResponse containerStatus(String id, boolean verbose) {
    ContainerRecord c = refresh(container(id).id());
    ContainerConfig cfg = config(c);
    ContainerStatus.Builder st = ContainerStatus.newBuilder().setId(c.id()).setMetadata(cfg.getMetadata())
        .setState(containerState(c)).setCreatedAt(c.createdAt()).setStartedAt(c.startedAt())
        .setFinishedAt(c.finishedAt()).setExitCode(c.exitCode()).setImage(cfg.getImage()).setImageRef(c.imageRef())
        .setReason(c.reason()).setMessage(c.message()).putAllLabels(cfg.getLabelsMap())
        .putAllAnnotations(cfg.getAnnotationsMap()).addAllMounts(cfg.getMountsList()).setLogPath(c.logPath());
    LinuxContainerResources res = resources(c);
    if (res != null) {
      st.setResources(ContainerResources.newBuilder().setLinux(res));
    }
    ContainerStatusResponse.Builder out = ContainerStatusResponse.newBuilder().setStatus(st);
    if (verbose) {
      out.putInfo("info", "{\"pid\":" + c.pid() + ",\"supervisorPid\":" + c.supervisorPid() + ",\"stateDir\":\""
          + store.containerDir(c.id()) + "\"}");
    }
    return out.build();
  }

  /** Records new limits (reported by ContainerStatus) and writes them to the container's cgroups if any. */
  void updateContainerResources(String id, LinuxContainerResources res) {
    container(id);
    withLock(id, () -> {
      ContainerRecord updated = container(id).withResources(res.toByteArray());
      if (cgroups.isPresent() && ContainerRecord.RUNNING.equals(updated.state())) {
        try {
          cgroups.get().apply(id, res);
        } catch (IOException e) {
          throw new StatusException(GrpcStatus.INTERNAL, "UpdateContainerResources: " + e.getMessage());
        }
      }
      store.save(updated);
      containers.put(id, updated);
      return null;
    });
  }

  /** The shim reopens a log file whose path names another file (or none) by itself: nothing to do. */
  void reopenContainerLog(String id) {
    ContainerRecord c = refresh(container(id).id());
    if (!ContainerRecord.RUNNING.equals(c.state())) {
      throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "ReopenContainerLog: container " + id
          + " is not running");
    }
  }

  /**
   * Runs {@code cmd} on the host with the container's environment and working directory. On timeout
   * the command and its descendants are killed and the call fails with DEADLINE_EXCEEDED.
   */
  ExecSyncResponse execSync(ExecSyncRequest req) {
    ContainerRecord c = refresh(container(req.getContainerId()).id());
    if (!ContainerRecord.RUNNING.equals(c.state())) {
      throw new StatusException(GrpcStatus.FAILED_PRECONDITION, "ExecSync: container " + c.id() + " is not running");
    }
    if (req.getCmdCount() == 0) {
      throw invalid("ExecSync: cmd is empty");
    }
    ContainerConfig cfg = config(c);
    ProcessBuilder pb = new ProcessBuilder(req.getCmdList())
        .directory(new File(cfg.getWorkingDir().isEmpty() ? "/" : cfg.getWorkingDir()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(containerEnv(cfg));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new StatusException(GrpcStatus.UNKNOWN, "ExecSync: cannot run " + req.getCmd(0) + ": " + e.getMessage());
    }
    CapturedStream out = CapturedStream.start(p.getInputStream());
    CapturedStream err = CapturedStream.start(p.getErrorStream());
    try {
      boolean done = req.getTimeout() > 0 ? p.waitFor(req.getTimeout(), TimeUnit.SECONDS) : waitFor(p);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new StatusException(GrpcStatus.DEADLINE_EXCEEDED, "ExecSync: command " + req.getCmdList()
            + " timed out after " + req.getTimeout() + "s");
      }
      return ExecSyncResponse.newBuilder().setStdout(out.await()).setStderr(err.await())
          .setExitCode(p.exitValue()).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new StatusException(GrpcStatus.CANCELLED, "ExecSync interrupted");
    }
  }

  ContainerStats containerStats(String id) {
    return stats(refresh(container(id).id()));
  }

  List<ContainerStats> listContainerStats(ContainerStatsFilter f) {
    List<ContainerStats> out = new ArrayList<>();
    for (ContainerRecord known : containers.values()) {
      ContainerRecord c = refresh(known.id());
      if (c == null || (f != null && !f.getId().isEmpty() && !c.id().startsWith(f.getId()))
          || (f != null && !f.getPodSandboxId().isEmpty() && !c.sandboxId().startsWith(f.getPodSandboxId()))
          || (f != null && !matches(config(c).getLabelsMap(), f.getLabelSelectorMap()))) {
        continue;
      }
      out.add(stats(c));
    }
    return out;
  }

  private ContainerStats stats(ContainerRecord c) {
    ContainerConfig cfg = config(c);
    long now = EmbeddedClock.nowNanos();
    boolean running = ContainerRecord.RUNNING.equals(c.state()) && HostProcesses.alive(c.pid(), c.pidStart());
    long cpu = running ? HostProcesses.cpuNanos(c.pid()) : 0;
    long rss = running ? HostProcesses.rssBytes(c.pid()) : 0;
    return ContainerStats.newBuilder()
        .setAttributes(ContainerAttributes.newBuilder().setId(c.id()).setMetadata(cfg.getMetadata())
            .putAllLabels(cfg.getLabelsMap()).putAllAnnotations(cfg.getAnnotationsMap()))
        .setCpu(CpuUsage.newBuilder().setTimestamp(now).setUsageCoreNanoSeconds(UInt64Value.newBuilder().setValue(cpu)))
        .setMemory(MemoryUsage.newBuilder().setTimestamp(now)
            .setWorkingSetBytes(UInt64Value.newBuilder().setValue(rss))
            .setRssBytes(UInt64Value.newBuilder().setValue(rss)))
        .setWritableLayer(FilesystemUsage.newBuilder().setTimestamp(now)
            .setFsId(FilesystemIdentifier.newBuilder().setMountpoint(store.root().toString()))
            .setUsedBytes(UInt64Value.newBuilder().setValue(0)).setInodesUsed(UInt64Value.newBuilder().setValue(0)))
        .build();
  }

  /** Counts for Status/info and the benchmark. */
  int containerCount() {
    return containers.size();
  }

  // ------------------------------------------------------------------------------ state refresh

  /**
   * Brings a RUNNING record up to date with the host: the supervisor's exit file wins; a vanished
   * supervisor with a vanished main process means the status is lost (255, Unknown). Returns the
   * current record, or null if the container was removed meanwhile.
   */
  private ContainerRecord refresh(String id) {
    ContainerRecord c = containers.get(id);
    if (c == null || !ContainerRecord.RUNNING.equals(c.state())) {
      return c;
    }
    Path exit = store.containerDir(id).resolve("exit");
    if (!Files.exists(exit) && (HostProcesses.alive(c.supervisorPid(), c.supervisorStart())
        || HostProcesses.alive(c.pid(), c.pidStart()))) {
      return c; // still running (an orphan main process whose supervisor died also counts)
    }
    return withLock(id, () -> {
      ContainerRecord cur = containers.get(id);
      if (cur == null || !ContainerRecord.RUNNING.equals(cur.state())) {
        return cur;
      }
      ContainerRecord done;
      if (Files.exists(exit)) {
        String[] f = read(exit).trim().split(" ");
        int code = Integer.parseInt(f[0]);
        boolean oom = code == 137 && cgroups.map(cg -> cg.oomKilled(id)).orElse(false);
        done = cur.exited(EmbeddedClock.fromEpochRealtime(f[1]), code,
            code == 0 ? "Completed" : oom ? "OOMKilled" : "Error", "");
      } else {
        done = cur.exited(EmbeddedClock.nowNanos(), 255, "Unknown",
            "exit status lost: its shim ended without recording it");
      }
      store.save(done);
      containers.put(id, done);
      return done;
    });
  }

  // ------------------------------------------------------------------------------ helpers

  private SandboxRecord sandbox(String id) {
    if (id == null || id.isEmpty()) {
      throw invalid("pod sandbox ID is empty");
    }
    SandboxRecord s = sandboxes.get(id);
    if (s == null) {
      throw new StatusException(GrpcStatus.NOT_FOUND, "pod sandbox " + id + " not found");
    }
    return s;
  }

  private ContainerRecord container(String id) {
    if (id == null || id.isEmpty()) {
      throw invalid("container ID is empty");
    }
    ContainerRecord c = containers.get(id);
    if (c == null) {
      throw new StatusException(GrpcStatus.NOT_FOUND, "container " + id + " not found");
    }
    return c;
  }

  private List<ContainerRecord> containersOf(String sandboxId) {
    return containers.values().stream().filter(c -> c.sandboxId().equals(sandboxId)).toList();
  }

  private <T> T withLock(String id, Supplier<T> body) {
    ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  private static PodSandboxState sandboxState(SandboxRecord s) {
    return SandboxRecord.READY.equals(s.state()) ? PodSandboxState.SANDBOX_READY : PodSandboxState.SANDBOX_NOTREADY;
  }

  private static ContainerState containerState(ContainerRecord c) {
    return switch (c.state()) {
      case ContainerRecord.CREATED -> ContainerState.CONTAINER_CREATED;
      case ContainerRecord.RUNNING -> ContainerState.CONTAINER_RUNNING;
      case ContainerRecord.EXITED -> ContainerState.CONTAINER_EXITED;
      default -> ContainerState.CONTAINER_UNKNOWN;
    };
  }

  private static PodSandboxConfig sandboxConfig(SandboxRecord s) {
    try {
      return PodSandboxConfig.parseFrom(s.config());
    } catch (InvalidProtocolBufferException e) {
      throw new StatusException(GrpcStatus.DATA_LOSS, "sandbox " + s.id() + ": damaged config: " + e.getMessage());
    }
  }

  private static ContainerConfig config(ContainerRecord c) {
    try {
      return ContainerConfig.parseFrom(c.config());
    } catch (InvalidProtocolBufferException e) {
      throw new StatusException(GrpcStatus.DATA_LOSS, "container " + c.id() + ": damaged config: " + e.getMessage());
    }
  }

  private static LinuxContainerResources resources(ContainerRecord c) {
    if (c.resources() == null || c.resources().length == 0) {
      return null;
    }
    try {
      return LinuxContainerResources.parseFrom(c.resources());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private static Map<String, String> containerEnv(ContainerConfig cfg) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (KeyValue kv : cfg.getEnvsList()) {
      env.put(kv.getKey(), kv.getValue());
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    return env;
  }

  private static Path resolveExecutable(String exe, String path, Path workDir) {
    if (exe.contains("/")) {
      Path p = workDir.resolve(exe);
      return Files.isExecutable(p) && !Files.isDirectory(p) ? p : null;
    }
    for (String dir : Objects.requireNonNullElse(path, DEFAULT_PATH).split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(exe);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p;
      }
    }
    return null;
  }

  private static boolean matches(Map<String, String> labels, Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static StatusException invalid(String message) {
    return new StatusException(GrpcStatus.INVALID_ARGUMENT, message);
  }

  private static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StatusException(GrpcStatus.CANCELLED, "interrupted");
    }
  }

  private static boolean waitFor(Process p) throws InterruptedException {
    p.waitFor();
    return true;
  }

  private static String hostIp() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return a.getHostAddress();
          }
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "127.0.0.1";
  }

  /** Reads a process stream on a virtual thread, keeping at most 16 MiB (the CRI cap). */
  private record CapturedStream(Thread reader, ByteArrayOutputStream buf) {
    static CapturedStream start(InputStream in) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      Thread t = Thread.ofVirtual().start(() -> {
        byte[] chunk = new byte[8192];
        try (in) {
          int n;
          while ((n = in.read(chunk)) > 0) {
            synchronized (buf) {
              if (buf.size() < EXEC_OUTPUT_CAP) {
                buf.write(chunk, 0, Math.min(n, EXEC_OUTPUT_CAP - buf.size()));
              }
            }
          }
        } catch (IOException e) {
          // stream closed by a kill: keep what was read
        }
      });
      return new CapturedStream(t, buf);
    }

    ByteString await() throws InterruptedException {
      reader.join(5_000);
      synchronized (buf) {
        return ByteString.copyFrom(buf.toByteArray());
      }
    }
  }
}
