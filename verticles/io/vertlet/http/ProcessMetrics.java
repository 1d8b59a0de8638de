package io.vertlet.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The standard {@code process_*} metrics under the names the Prometheus client libraries use (and the
 * kubelet exports), so node dashboards work unchanged: {@code process_cpu_seconds_total},
 * {@code process_resident_memory_bytes}, {@code process_virtual_memory_bytes},
 * {@code process_start_time_seconds}, {@code process_open_fds}, {@code process_max_fds}.
 * Memory comes from {@code /proc/self/status}; where there is no /proc those two are not registered.
 */
final class ProcessMetrics implements MeterBinder {

  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public void bindTo(MeterRegistry registry) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9)
          .baseUnit("seconds")
          .description("Total user and system CPU time spent in seconds.")
          .register(registry);
    }
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      Gauge.builder("process.open.fds", unix, u -> u.getOpenFileDescriptorCount())
          .description("Number of open file descriptors.")
          .register(registry);
      Gauge.builder("process.max.fds", unix, u -> u.getMaxFileDescriptorCount())
          .description("Maximum number of open file descriptors.")
          .register(registry);
    }
    double started = ProcessHandle.current().info().startInstant()
        .map(i -> i.toEpochMilli() / 1000.0)
        .orElse(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
    Gauge.builder("process.start.time", () -> started)
        .baseUnit("seconds")
        .description("Start time of the process since unix epoch in seconds.")
        .register(registry);
    if (Files.isReadable(STATUS)) {
      Gauge.builder("process.resident.memory", () -> statusKb("VmRSS:") * 1024)
          .baseUnit("bytes")
          .description("Resident memory size in bytes.")
          .register(registry);
      Gauge.builder("process.virtual.memory", () -> statusKb("VmSize:") * 1024)
          .baseUnit("bytes")
          .description("Virtual memory size in bytes.")
          .register(registry);
    }
  }

  /** A {@code kB} field of /proc/self/status; a small in-memory file, read when Prometheus scrapes. */
  private static double statusKb(String field) {
    try {
      List<String> lines = Files.readAllLines(STATUS);
      for (String line : lines) {
        if (line.startsWith(field)) {
          String[] parts = line.substring(field.length()).trim().split("\\s+");
          return Double.parseDouble(parts[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Fall through: NaN tells Prometheus the value is unknown rather than zero.
    }
    return Double.NaN;
  }
}
