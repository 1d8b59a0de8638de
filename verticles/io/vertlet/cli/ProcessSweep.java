package io.vertlet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and kills host processes by what their command line names. The embedded runtime's shim and
 * containers outlive the agent by design, so the commands that start throw-away agents (the pod
 * benchmark, the AOT training run) sweep what named their root dir when they are done.
 */
final class ProcessSweep {

  private ProcessSweep() {}

  /** SIGKILLs every process (but this one) naming {@code marker} on its command line, and their descendants. */
  static void killAllNaming(String marker) {
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> victims = new ArrayList<>();
    ProcessHandle.allProcesses().filter(p -> p.pid() != self && cmdline(p.pid()).contains(marker))
        .forEach(p -> {
          victims.addAll(p.descendants().toList());
          victims.add(p);
        });
    victims.forEach(ProcessHandle::destroyForcibly);
  }

  /** The command line of {@code pid}, arguments joined by spaces; empty when it is gone. */
  static String cmdline(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
