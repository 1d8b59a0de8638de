package io.vertlet.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** Blocking helpers over Linux processes: identity by (PID, start time), process-group signals. */
final class HostProcesses {

  private HostProcesses() {}

  /**
   * Field 22 of {@code /proc/<pid>/stat}: the process start time in clock ticks since boot. Together
   * with the PID it identifies a process for good, which guards adoption against PID reuse.
   */
  static OptionalLong startTime(long pid) {
    if (pid <= 0) {
      return OptionalLong.empty();
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
      String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      if ("Z".equals(rest[0])) {
        return OptionalLong.empty(); // a zombie has exited already
      }
      return OptionalLong.of(Long.parseLong(rest[19]));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** True if {@code pid} runs and is the very process that was started at {@code startTime}. */
  static boolean alive(long pid, long startTime) {
    OptionalLong now = startTime(pid);
    return now.isPresent() && now.getAsLong() == startTime;
  }

  /** Sends {@code signal} (TERM, KILL, ...) to every process in group {@code pgid}. */
  static void signalGroup(long pgid, String signal) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("refusing to signal process group " + pgid);
    }
    run(List.of("kill", "-s", signal, "--", "-" + pgid));
  }

  /** Runs a short host command, ignoring its status (kill of a gone group fails harmlessly). */
  static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The resident set of {@code pid} in bytes (from statm), or 0. */
  static long rssBytes(long pid) {
    try {
      String[] f = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split(" ");
      return Long.parseLong(f[1]) * 4096L;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** User + system CPU time of {@code pid} and its reaped children, in nanoseconds (100 Hz ticks). */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]) + Long.parseLong(rest[13])
          + Long.parseLong(rest[14]);
      return ticks * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
