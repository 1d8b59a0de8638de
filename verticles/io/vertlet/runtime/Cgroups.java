package io.vertlet.runtime;

import io.vertlet.cri.v1.LinuxContainerResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-container cgroups (v1: memory and cpu controllers) under {@code vertlet-embedded/<id>}, when
 * this process may write them (root on a cgroup v1 host). Elsewhere limits are only recorded.
 * Blocking: call from worker or virtual threads.
 */
final class Cgroups {

  private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
  private static final String PARENT = "vertlet-embedded";

  private final Path memory;
  private final Path cpu;

  private Cgroups(Path memory, Path cpu) {
    this.memory = memory;
    this.cpu = cpu;
  }

  /** The controllers we can write, or empty when limits can only be recorded. */
  static Optional<Cgroups> detect(Path fsRoot) {
    Path mem = fsRoot.resolve("memory");
    Path cpu = fsRoot.resolve("cpu");
    if (!Files.isRegularFile(mem.resolve("memory.limit_in_bytes")) || !Files.isRegularFile(cpu.resolve("cpu.shares"))) {
      return Optional.empty(); // not cgroup v1 with both controllers
    }
    try {
      Files.createDirectories(mem.resolve(PARENT));
      Files.createDirectories(cpu.resolve(PARENT));
      return Optional.of(new Cgroups(mem.resolve(PARENT), cpu.resolve(PARENT)));
    } catch (IOException | SecurityException e) {
      LOG.info("embedded runtime: cgroups under {} not writable ({}); container limits are recorded, not enforced",
          fsRoot, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Creates the container's cgroups with {@code res} applied and returns the {@code cgroup.procs}
   * files the container's process must join before it execs its command.
   */
  List<Path> create(String id, LinuxContainerResources res) throws IOException {
    Path m = memory.resolve(id);
    Path c = cpu.resolve(id);
    Files.createDirectories(m);
    Files.createDirectories(c);
    apply(id, res);
    List<Path> procs = new ArrayList<>();
    procs.add(m.resolve("cgroup.procs"));
    procs.add(c.resolve("cgroup.procs"));
    return procs;
  }

  /** Writes the limits that are set (0 means "not specified" in CRI). */
  void apply(String id, LinuxContainerResources res) throws IOException {
    if (res == null) {
      return;
    }
    Path m = memory.resolve(id);
    Path c = cpu.resolve(id);
    if (!Files.isDirectory(m) || !Files.isDirectory(c)) {
      return;
    }
    if (res.getMemoryLimitInBytes() > 0) {
      Files.writeString(m.resolve("memory.limit_in_bytes"), Long.toString(res.getMemoryLimitInBytes()));
    }
    if (res.getCpuShares() > 0) {
      Files.writeString(c.resolve("cpu.shares"), Long.toString(res.getCpuShares()));
    }
    if (res.getCpuPeriod() > 0) {
      Files.writeString(c.resolve("cpu.cfs_period_us"), Long.toString(res.getCpuPeriod()));
    }
    if (res.getCpuQuota() > 0) {
      Files.writeString(c.resolve("cpu.cfs_quota_us"), Long.toString(res.getCpuQuota()));
    }
  }

  /** True when the kernel's OOM killer killed a process of this container (memory.oom_control). */
  boolean oomKilled(String id) {
    try {
      for (String line : Files.readAllLines(memory.resolve(id).resolve("memory.oom_control"))) {
        if (line.startsWith("oom_kill ")) {
          return Long.parseLong(line.substring(9).trim()) > 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup or an old kernel without the counter: not detectable
    }
    return false;
  }

  /** How long {@link #remove} keeps emptying a cgroup the kernel refuses to remove. */
  static final Duration REMOVE_WITHIN = Duration.ofSeconds(2);

  /**
   * Removes the container's cgroups. The kernel refuses (EBUSY) while processes remain in one, and
   * some may: when the main process ends, the shim kills the rest of its process group, but they take
   * a moment to die (seen: an OOM-killed shell's {@code head} and {@code tr} still there when
   * RemoveContainer came), and a process that left the group with setsid is still in the cgroup.
   * Whatever is in it belongs to the removed container: it is killed and the removal retried, instead of
   * leaving the directory behind for good.
   */
  void remove(String id) {
    for (Path p : List.of(memory.resolve(id), cpu.resolve(id))) {
      removeEmptying(p);
    }
  }

  private static void removeEmptying(Path cgroup) {
    long deadline = System.nanoTime() + REMOVE_WITHIN.toNanos();
    while (true) {
      try {
        Files.deleteIfExists(cgroup); // rmdir
        return;
      } catch (IOException busy) {
        if (System.nanoTime() > deadline) {
          LOG.warn("embedded runtime: cannot remove cgroup {} (processes remain after {}): {}", cgroup, REMOVE_WITHIN,
              busy.getMessage());
          return;
        }
        killAll(cgroup.resolve("cgroup.procs"));
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void killAll(Path procs) {
    try {
      for (String line : Files.readAllLines(procs)) {
        if (!line.isBlank()) {
          ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read {}: {}", procs, e.toString());
    }
  }
}
