package io.vertlet.config;

import io.vertlet.events.GoDuration;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Upstream's KubeletConfiguration validation (pkg/kubelet/apis/config/validation plus the eviction and
 * reservation parsing the kubelet does at start), reporting every error at once. Each message names the
 * field path and the bad value: {@code evictionHard["memory.available"]: "abc" is neither a quantity nor
 * a percentage}.
 */
public final class ConfigValidator {

  private ConfigValidator() {}

  /** Eviction signals the kubelet knows (Linux). */
  public static final Set<String> EVICTION_SIGNALS = Set.of("memory.available", "allocatableMemory.available",
      "nodefs.available", "nodefs.inodesFree", "imagefs.available", "imagefs.inodesFree", "containerfs.available",
      "containerfs.inodesFree", "pid.available");

  private static final Set<String> RESERVABLE = Set.of("cpu", "memory", "ephemeral-storage", "pid");
  private static final Pattern HUGEPAGES = Pattern.compile("hugepages-.+");
  private static final Set<String> TAINT_EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private static final Pattern LABEL_KEY = Pattern.compile(
      "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
  private static final Set<String> TLS_VERSIONS = Set.of("", "VersionTLS10", "VersionTLS11", "VersionTLS12",
      "VersionTLS13");

  /** Validates a defaulted, typed config (path to value); returns every error found. */
  public static List<String> validate(Map<String, Object> c) {
    List<String> e = new ArrayList<>();
    V v = new V(c, e);

    v.positive("nodeLeaseDurationSeconds");
    if (!str(c, "systemCgroups").isEmpty() && str(c, "cgroupRoot").isEmpty()) {
      e.add("systemCgroups: " + show(c.get("systemCgroups")) + " requires cgroupRoot to be set as well");
    }
    v.nonNegative("eventBurst");
    v.nonNegative("eventRecordQPS");
    v.port("healthzPort", true);
    v.port("port", false);
    v.port("readOnlyPort", true);
    v.range("imageGCHighThresholdPercent", 0, 100);
    v.range("imageGCLowThresholdPercent", 0, 100);
    if (num(c, "imageGCLowThresholdPercent") >= num(c, "imageGCHighThresholdPercent")) {
      e.add("imageGCLowThresholdPercent: " + c.get("imageGCLowThresholdPercent")
          + " must be less than imageGCHighThresholdPercent (" + c.get("imageGCHighThresholdPercent") + ")");
    }
    v.nonNegativeDuration("imageMinimumGCAge");
    v.nonNegativeDuration("imageMaximumGCAge");
    Duration maxAge = dur(c, "imageMaximumGCAge");
    Duration minAge = dur(c, "imageMinimumGCAge");
    if (maxAge != null && minAge != null && !maxAge.isZero() && !maxAge.isNegative() && maxAge.compareTo(minAge) <= 0) {
      e.add("imageMaximumGCAge: " + show(maxAge) + " must be greater than imageMinimumGCAge (" + show(minAge) + ")");
    }
    for (String p : List.of("syncFrequency", "fileCheckFrequency", "httpCheckFrequency", "nodeStatusUpdateFrequency",
        "nodeStatusReportFrequency", "runtimeRequestTimeout", "evictionPressureTransitionPeriod",
        "volumeStatsAggPeriod", "cpuManagerReconcilePeriod", "draManagerReconcilePeriod",
        "streamingConnectionIdleTimeout", "authentication.webhook.cacheTTL",
        "authorization.webhook.cacheAuthorizedTTL", "authorization.webhook.cacheUnauthorizedTTL",
        "logging.flushFrequency", "podHousekeepingPeriod")) {
      v.positiveDuration(p);
    }
    v.range("iptablesDropBit", 0, 31);
    v.range("iptablesMasqueradeBit", 0, 31);
    v.nonNegative("kubeAPIBurst");
    v.nonNegative("kubeAPIQPS");
    if (c.get("nodeStatusMaxImages") instanceof Integer i && i < -1) {
      e.add("nodeStatusMaxImages: " + i + " must be -1 or greater");
    }
    v.nonNegative("maxOpenFiles");
    v.nonNegative("maxPods");
    v.range("oomScoreAdj", -1000, 1000);
    v.nonNegative("podsPerCore");
    v.nonNegative("registryBurst");
    v.nonNegative("registryPullQPS");
    v.nonNegative("evictionMaxPodGracePeriod");
    if (c.get("maxParallelImagePulls") instanceof Integer p) {
      if (p < 1) {
        e.add("maxParallelImagePulls: " + p + " must be a positive number");
      } else if (p > 1 && Boolean.TRUE.equals(c.get("serializeImagePulls"))) {
        e.add("maxParallelImagePulls: " + p + " cannot be larger than 1 unless serializeImagePulls is false");
      }
    }
    if (Boolean.TRUE.equals(c.get("runOnce"))) {
      e.add("runOnce: true is not supported (run-once mode is deprecated upstream)");
    }
    Duration period = dur(c, "cpuCFSQuotaPeriod");
    if (period != null && (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofSeconds(1)) > 0)) {
      e.add("cpuCFSQuotaPeriod: " + show(period) + " must be between 1ms and 1s, inclusive");
    }

    v.oneOf("topologyManagerPolicy", "none", "best-effort", "restricted", "single-numa-node");
    v.oneOf("topologyManagerScope", "container", "pod");
    v.oneOf("hairpinMode", "promiscuous-bridge", "hairpin-veth", "none");
    v.oneOf("cgroupDriver", "cgroupfs", "systemd");
    v.oneOf("cpuManagerPolicy", "none", "static");
    v.oneOf("memoryManagerPolicy", "None", "Static");
    v.oneOf("authorization.mode", "AlwaysAllow", "Webhook");
    v.oneOf("configMapAndSecretChangeDetectionStrategy", "Get", "Cache", "Watch");
    v.oneOf("memorySwap.swapBehavior", "", "NoSwap", "LimitedSwap");
    v.oneOf("logging.format", "text", "json");
    v.oneOf("memoryReservationPolicy", "None", "TieredReservation");
    if (c.get("imagePullCredentialsVerificationPolicy") != null) {
      v.oneOf("imagePullCredentialsVerificationPolicy", "NeverVerify", "NeverVerifyPreloadedImages",
          "NeverVerifyAllowlistedImages", "AlwaysVerify");
    }
    if (!TLS_VERSIONS.contains(str(c, "tlsMinVersion"))) {
      e.add("tlsMinVersion: " + show(c.get("tlsMinVersion")) + " must be one of VersionTLS10, VersionTLS11, "
          + "VersionTLS12, VersionTLS13");
    }
    v.nonNegative("logging.verbosity");

    Duration shutdown = dur(c, "shutdownGracePeriod");
    Duration critical = dur(c, "shutdownGracePeriodCriticalPods");
    if (shutdown != null && critical != null) {
      if (critical.compareTo(shutdown) > 0) {
        e.add("shutdownGracePeriodCriticalPods: " + show(critical) + " must be <= shutdownGracePeriod ("
            + show(shutdown) + ")");
      }
      for (String p : List.of("shutdownGracePeriod", "shutdownGracePeriodCriticalPods")) {
        Duration d = dur(c, p);
        if (d.isNegative() || (!d.isZero() && d.compareTo(Duration.ofSeconds(1)) < 0)) {
          e.add(p + ": " + show(d) + " must be either zero or otherwise >= 1s");
        }
      }
      if (c.get("shutdownGracePeriodByPodPriority") instanceof List<?> l && !l.isEmpty()
          && (!shutdown.isZero() || !critical.isZero())) {
        e.add("shutdownGracePeriodByPodPriority: cannot be set together with shutdownGracePeriod");
      }
    }
    Duration maxRestart = dur(c, "crashLoopBackOff.maxContainerRestartPeriod");
    if (maxRestart != null && (maxRestart.compareTo(Duration.ofSeconds(1)) < 0
        || maxRestart.compareTo(Duration.ofSeconds(300)) > 0)) {
      e.add("crashLoopBackOff.maxContainerRestartPeriod: " + show(maxRestart) + " must be between 1s and 300s");
    }

    enforceNodeAllocatable(c, e);
    if (!str(c, "reservedSystemCPUs").isEmpty()) {
      if (!str(c, "systemReservedCgroup").isEmpty() || !str(c, "kubeReservedCgroup").isEmpty()) {
        e.add("reservedSystemCPUs: cannot be used with systemReservedCgroup or kubeReservedCgroup");
      }
      if (!str(c, "reservedSystemCPUs").matches("\\s*\\d+(-\\d+)?(\\s*,\\s*\\d+(-\\d+)?)*\\s*")) {
        e.add("reservedSystemCPUs: " + show(c.get("reservedSystemCPUs")) + " is not a CPU list like \"0-1,4\"");
      }
    }
    if (c.get("memoryThrottlingFactor") instanceof Double f && (f <= 0 || f > 1.0)) {
      e.add("memoryThrottlingFactor: " + f + " must be greater than 0 and less than or equal to 1.0");
    }
    if (str(c, "containerRuntimeEndpoint").isEmpty()) {
      e.add("containerRuntimeEndpoint: must not be empty");
    } else if (!str(c, "containerRuntimeEndpoint").equals(ConfigSchema.EMBEDDED_RUNTIME)
        && !str(c, "containerRuntimeEndpoint").matches("(unix|tcp|npipe)://.+")) {
      e.add("containerRuntimeEndpoint: " + show(c.get("containerRuntimeEndpoint"))
          + " must be \"embedded\" or an endpoint like unix:///run/containerd/containerd.sock");
    }
    if (Boolean.TRUE.equals(c.get("enableSystemLogQuery")) && !Boolean.TRUE.equals(c.get("enableSystemLogHandler"))) {
      e.add("enableSystemLogQuery: true requires enableSystemLogHandler");
    }
    v.atLeast("containerLogMaxWorkers", 1);
    if (dur(c, "containerLogMonitorInterval") != null
        && dur(c, "containerLogMonitorInterval").compareTo(Duration.ofSeconds(3)) < 0) {
      e.add("containerLogMonitorInterval: " + show(c.get("containerLogMonitorInterval")) + " must be at least 3s");
    }
    if (c.get("containerLogMaxFiles") instanceof Integer n && n <= 1) {
      e.add("containerLogMaxFiles: " + n + " must be greater than 1");
    }
    if (c.get("containerLogMaxSize") instanceof Quantity q && q.value().signum() <= 0) {
      e.add("containerLogMaxSize: " + show(q) + " must be positive");
    }
    String logsDir = str(c, "podLogsDir");
    if (!logsDir.startsWith("/") || !Path.of(logsDir).normalize().toString().equals(logsDir.replaceAll("/+$", ""))) {
      e.add("podLogsDir: " + show(logsDir) + " must be an absolute, normalized path");
    }

    v.ip("address");
    v.ip("healthzBindAddress");
    if (c.get("clusterDNS") instanceof List<?> dns) {
      for (int i = 0; i < dns.size(); i++) {
        if (!isIp(String.valueOf(dns.get(i)))) {
          e.add("clusterDNS[" + i + "]: " + show(dns.get(i)) + " is not an IP address");
        }
      }
    }
    if (!str(c, "clusterDomain").isEmpty()
        && !ConfigLoader.isDnsSubdomain(str(c, "clusterDomain").replaceAll("\\.$", ""))) {
      e.add("clusterDomain: " + show(c.get("clusterDomain")) + " is not a valid DNS domain");
    }
    if (!str(c, "staticPodURL").isEmpty()) {
      try {
        URI u = URI.create(str(c, "staticPodURL"));
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException ex) {
        e.add("staticPodURL: " + show(c.get("staticPodURL")) + " is not an http(s) URL");
      }
    }
    if (!str(c, "podCIDR").isEmpty() && !str(c, "podCIDR").matches("[0-9a-fA-F:.]+/\\d{1,3}")) {
      e.add("podCIDR: " + show(c.get("podCIDR")) + " is not a CIDR");
    }

    eviction(c, e);
    reservations(c, "kubeReserved", e);
    reservations(c, "systemReserved", e);
    if (c.get("qosReserved") instanceof Map<?, ?> qos) {
      qos.forEach((k, val) -> {
        if (!"memory".equals(k)) {
          e.add("qosReserved[\"" + k + "\"]: only \"memory\" can be reserved");
        } else if (!String.valueOf(val).matches("\\d{1,3}%") || Integer.parseInt(
            String.valueOf(val).replace("%", "")) > 100) {
          e.add("qosReserved[\"memory\"]: " + show(val) + " is not a percentage between 0% and 100%");
        }
      });
    }
    taints(c, e);
    return e;
  }

  private static void enforceNodeAllocatable(Map<String, Object> c, List<String> e) {
    @SuppressWarnings("unchecked")
    List<String> enforce = (List<String>) c.get("enforceNodeAllocatable");
    if (enforce == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (String val : enforce) {
      String path = "enforceNodeAllocatable";
      if (!seen.add(val)) {
        e.add(path + ": duplicated enforcement " + show(val));
        continue;
      }
      switch (val) {
        case "pods" -> { }
        case "system-reserved", "system-reserved-compressible" -> {
          if (str(c, "systemReservedCgroup").isEmpty()) {
            e.add(path + ": " + show(val) + " requires systemReservedCgroup");
          }
        }
        case "kube-reserved", "kube-reserved-compressible" -> {
          if (str(c, "kubeReservedCgroup").isEmpty()) {
            e.add(path + ": " + show(val) + " requires kubeReservedCgroup");
          }
        }
        case "none" -> {
          if (enforce.size() > 1) {
            e.add(path + ": \"none\" may not be combined with other enforcements");
          }
          continue;
        }
        default -> {
          e.add(path + ": " + show(val) + " is not one of \"pods\", \"system-reserved\", "
              + "\"system-reserved-compressible\", \"kube-reserved\", \"kube-reserved-compressible\", \"none\"");
          continue;
        }
      }
      if (!Boolean.TRUE.equals(c.get("cgroupsPerQOS"))) {
        e.add(path + ": " + show(val) + " requires cgroupsPerQOS to be true");
      }
    }
    if (seen.contains("system-reserved") && seen.contains("system-reserved-compressible")) {
      e.add("enforceNodeAllocatable: \"system-reserved\" and \"system-reserved-compressible\" are exclusive");
    }
    if (seen.contains("kube-reserved") && seen.contains("kube-reserved-compressible")) {
      e.add("enforceNodeAllocatable: \"kube-reserved\" and \"kube-reserved-compressible\" are exclusive");
    }
  }

  @SuppressWarnings("unchecked")
  private static void eviction(Map<String, Object> c, List<String> e) {
    for (String field : List.of("evictionHard", "evictionSoft", "evictionMinimumReclaim")) {
      Map<String, String> m = (Map<String, String>) c.get(field);
      if (m == null) {
        continue;
      }
      m.forEach((signal, value) -> {
        String path = field + "[\"" + signal + "\"]";
        if (!EVICTION_SIGNALS.contains(signal)) {
          e.add(path + ": " + show(signal) + " is not an eviction signal (one of " + String.join(", ",
              new java.util.TreeSet<>(EVICTION_SIGNALS)) + ")");
          return;
        }
        try {
          Threshold.parse(value);
        } catch (IllegalArgumentException ex) {
          e.add(path + ": " + show(value) + " " + ex.getMessage());
        }
      });
    }
    Map<String, String> soft = (Map<String, String>) c.get("evictionSoft");
    Map<String, String> grace = (Map<String, String>) c.get("evictionSoftGracePeriod");
    if (grace != null) {
      grace.forEach((signal, value) -> {
        String path = "evictionSoftGracePeriod[\"" + signal + "\"]";
        if (!EVICTION_SIGNALS.contains(signal)) {
          e.add(path + ": " + show(signal) + " is not an eviction signal");
          return;
        }
        try {
          if (GoDuration.parse(value).isNegative()) {
            e.add(path + ": " + show(value) + " must not be negative");
          }
        } catch (IllegalArgumentException ex) {
          e.add(path + ": " + show(value) + " " + ex.getMessage());
        }
      });
    }
    if (soft != null) {
      for (String signal : soft.keySet()) {
        if (EVICTION_SIGNALS.contains(signal) && (grace == null || !grace.containsKey(signal))) {
          e.add("evictionSoft[\"" + signal + "\"]: " + show(soft.get(signal))
              + " has no grace period in evictionSoftGracePeriod");
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void reservations(Map<String, Object> c, String field, List<String> e) {
    Map<String, String> m = (Map<String, String>) c.get(field);
    if (m == null) {
      return;
    }
    m.forEach((resource, value) -> {
      String path = field + "[\"" + resource + "\"]";
      if (!RESERVABLE.contains(resource) && !HUGEPAGES.matcher(resource).matches()) {
        e.add(path + ": " + show(resource) + " cannot be reserved (cpu, memory, ephemeral-storage, pid, hugepages-*)");
        return;
      }
      try {
        if (Quantity.parse(value).isNegative()) {
          e.add(path + ": " + show(value) + " must not be negative");
        }
      } catch (IllegalArgumentException ex) {
        e.add(path + ": " + show(value) + " " + ex.getMessage());
      }
    });
  }

  private static void taints(Map<String, Object> c, List<String> e) {
    if (!(c.get("registerWithTaints") instanceof List<?> taints)) {
      return;
    }
    for (int i = 0; i < taints.size(); i++) {
      Map<?, ?> t = (Map<?, ?>) taints.get(i);
      String path = "registerWithTaints[" + i + "]";
      Object key = t.get("key");
      if (!(key instanceof String k) || !LABEL_KEY.matcher(k).matches()) {
        e.add(path + ".key: " + show(key) + " is not a valid taint key");
      }
      Object effect = t.get("effect");
      if (!TAINT_EFFECTS.contains(String.valueOf(effect))) {
        e.add(path + ".effect: " + show(effect) + " must be one of NoSchedule, PreferNoSchedule, NoExecute");
      }
      if (t.get("timeAdded") != null) {
        e.add(path + ".timeAdded: must not be set");
      }
    }
  }

  // ---- helpers ----

  /** How a value is shown in a message: strings and durations quoted, numbers plain. */
  public static String show(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Duration d) {
      return "\"" + GoDuration.format(d) + "\"";
    }
    if (v instanceof String || v instanceof Quantity) {
      return "\"" + v + "\"";
    }
    return String.valueOf(v);
  }

  static boolean isIp(String s) {
    if (s.matches("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return s.contains(":") && s.matches("[0-9a-fA-F:.]+") && s.chars().filter(ch -> ch == ':').count() >= 2;
  }

  private static String str(Map<String, Object> c, String p) {
    Object v = c.get(p);
    return v instanceof String s ? s : "";
  }

  private static long num(Map<String, Object> c, String p) {
    Object v = c.get(p);
    return v instanceof Number n ? n.longValue() : 0;
  }

  private static Duration dur(Map<String, Object> c, String p) {
    return c.get(p) instanceof Duration d ? d : null;
  }

  /** Small rule helpers over one config, appending to one error list. */
  private record V(Map<String, Object> c, List<String> e) {

    void positive(String p) {
      if (c.get(p) instanceof Number n && n.longValue() <= 0) {
        e.add(p + ": " + n + " must be greater than 0");
      }
    }

    void nonNegative(String p) {
      if (c.get(p) instanceof Number n && n.longValue() < 0) {
        e.add(p + ": " + n + " must not be negative");
      }
    }

    void atLeast(String p, long min) {
      if (c.get(p) instanceof Number n && n.longValue() < min) {
        e.add(p + ": " + n + " must be at least " + min);
      }
    }

    void range(String p, long lo, long hi) {
      if (c.get(p) instanceof Number n && (n.longValue() < lo || n.longValue() > hi)) {
        e.add(p + ": " + n + " must be between " + lo + " and " + hi + ", inclusive");
      }
    }

    void port(String p, boolean zeroAllowed) {
      if (c.get(p) instanceof Number n && !(zeroAllowed && n.longValue() == 0)
          && (n.longValue() < 1 || n.longValue() > 65535)) {
        e.add(p + ": " + n + " must be between " + (zeroAllowed ? "0 (off)" : "1") + " and 65535, inclusive");
      }
    }

    void nonNegativeDuration(String p) {
      if (c.get(p) instanceof Duration d && d.isNegative()) {
        e.add(p + ": " + show(d) + " must not be negative");
      }
    }

    void positiveDuration(String p) {
      if (c.get(p) instanceof Duration d && (d.isNegative() || d.isZero())) {
        e.add(p + ": " + show(d) + " must be a positive duration");
      }
    }

    void oneOf(String p, String... allowed) {
      Object v = c.get(p);
      if (v != null && !List.of(allowed).contains(v)) {
        e.add(p + ": " + show(v) + " must be one of " + String.join(", ",
            List.of(allowed).stream().map(a -> "\"" + a + "\"").toList()));
      }
    }

    void ip(String p) {
      Object v = c.get(p);
      if (v instanceof String s && !s.isEmpty() && !isIp(s)) {
        e.add(p + ": " + show(s) + " is not an IP address");
      }
    }
  }
}
