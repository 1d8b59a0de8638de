package io.vertlet.config;

import static io.vertlet.config.ConfigField.Kind.BOOL;
import static io.vertlet.config.ConfigField.Kind.BOOL_MAP;
import static io.vertlet.config.ConfigField.Kind.DURATION;
import static io.vertlet.config.ConfigField.Kind.FLOAT;
import static io.vertlet.config.ConfigField.Kind.INT32;
import static io.vertlet.config.ConfigField.Kind.INT64;
import static io.vertlet.config.ConfigField.Kind.INT_LIST;
import static io.vertlet.config.ConfigField.Kind.OBJECT;
import static io.vertlet.config.ConfigField.Kind.OBJECT_LIST;
import static io.vertlet.config.ConfigField.Kind.QUANTITY;
import static io.vertlet.config.ConfigField.Kind.STRING;
import static io.vertlet.config.ConfigField.Kind.STRING_LIST;
import static io.vertlet.config.ConfigField.Kind.STRING_LIST_MAP;
import static io.vertlet.config.ConfigField.Kind.STRING_MAP;
import static io.vertlet.config.ConfigField.live;
import static io.vertlet.config.ConfigField.restart;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every field of {@code kubelet.config.k8s.io/v1beta1 KubeletConfiguration}, in upstream's order, with
 * upstream's defaults (pkg/kubelet/apis/config/v1beta1/defaults.go). Facts carried over from upstream;
 * the live/restart split is vertlet's own and deliberately conservative.
 */
public final class ConfigSchema {

  private ConfigSchema() {}

  public static final String API_VERSION = "kubelet.config.k8s.io/v1beta1";
  public static final String KIND = "KubeletConfiguration";

  /** vertlet's value for containerRuntimeEndpoint meaning "the runtime inside this process". */
  public static final String EMBEDDED_RUNTIME = "embedded";

  /** Upstream's default hard eviction thresholds (Linux). */
  public static final Map<String, String> DEFAULT_EVICTION_HARD = orderedMap(
      "memory.available", "100Mi", "nodefs.available", "10%", "nodefs.inodesFree", "5%", "imagefs.available", "15%");

  private static Duration s(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  public static final List<ConfigField> FIELDS = List.of(
      restart("enableServer", BOOL, true),
      restart("staticPodPath", STRING, "").flag("--pod-manifest-path"),
      restart("podLogsDir", STRING, "/var/log/pods").zeroDefault(),
      live("syncFrequency", DURATION, s(60)).zeroDefault().flag("--sync-frequency"),
      live("fileCheckFrequency", DURATION, s(20)).zeroDefault().flag("--file-check-frequency"),
      live("httpCheckFrequency", DURATION, s(20)).zeroDefault().flag("--http-check-frequency"),
      restart("staticPodURL", STRING, "").flag("--manifest-url"),
      restart("staticPodURLHeader", STRING_LIST_MAP, null).flag("--manifest-url-header"),
      restart("address", STRING, "0.0.0.0").zeroDefault().flag("--address"),
      restart("port", INT32, 10250).zeroDefault().flag("--port"),
      restart("readOnlyPort", INT32, 0).flag("--read-only-port"),
      restart("tlsCertFile", STRING, "").flag("--tls-cert-file"),
      restart("tlsPrivateKeyFile", STRING, "").flag("--tls-private-key-file"),
      restart("tlsCipherSuites", STRING_LIST, null).flag("--tls-cipher-suites"),
      restart("tlsCurvePreferences", INT_LIST, null),
      restart("tlsMinVersion", STRING, "").flag("--tls-min-version"),
      restart("rotateCertificates", BOOL, false).flag("--rotate-certificates"),
      restart("serverTLSBootstrap", BOOL, false).flag("--rotate-server-certificates"),
      restart("authentication.x509.clientCAFile", STRING, "").flag("--client-ca-file"),
      restart("authentication.webhook.enabled", BOOL, true).flag("--authentication-token-webhook"),
      restart("authentication.webhook.cacheTTL", DURATION, s(120)).zeroDefault()
          .flag("--authentication-token-webhook-cache-ttl"),
      restart("authentication.anonymous.enabled", BOOL, false).flag("--anonymous-auth"),
      restart("authorization.mode", STRING, "Webhook").zeroDefault().flag("--authorization-mode"),
      restart("authorization.webhook.cacheAuthorizedTTL", DURATION, s(300)).zeroDefault()
          .flag("--authorization-webhook-cache-authorized-ttl"),
      restart("authorization.webhook.cacheUnauthorizedTTL", DURATION, s(30)).zeroDefault()
          .flag("--authorization-webhook-cache-unauthorized-ttl"),
      restart("registryPullQPS", INT32, 5).flag("--registry-qps"),
      restart("registryBurst", INT32, 10).zeroDefault().flag("--registry-burst"),
      restart("imagePullCredentialsVerificationPolicy", STRING, null),
      restart("preloadedImagesVerificationAllowlist", STRING_LIST, null),
      restart("eventRecordQPS", INT32, 50).flag("--event-qps"),
      restart("eventBurst", INT32, 100).zeroDefault().flag("--event-burst"),
      restart("enableDebuggingHandlers", BOOL, true).flag("--enable-debugging-handlers"),
      restart("enableContentionProfiling", BOOL, false).flag("--contention-profiling"),
      restart("healthzPort", INT32, 10248).flag("--healthz-port"),
      restart("healthzBindAddress", STRING, "127.0.0.1").zeroDefault().flag("--healthz-bind-address"),
      restart("oomScoreAdj", INT32, -999).flag("--oom-score-adj"),
      restart("clusterDomain", STRING, "").flag("--cluster-domain"),
      restart("clusterDNS", STRING_LIST, null).flag("--cluster-dns"),
      restart("streamingConnectionIdleTimeout", DURATION, s(4 * 3600)).zeroDefault()
          .flag("--streaming-connection-idle-timeout"),
      live("nodeStatusUpdateFrequency", DURATION, s(10)).zeroDefault().flag("--node-status-update-frequency"),
      live("nodeStatusReportFrequency", DURATION, s(300)).zeroDefault(),
      live("nodeLeaseDurationSeconds", INT32, 40).zeroDefault(),
      live("imageMinimumGCAge", DURATION, s(120)).zeroDefault().flag("--minimum-image-ttl-duration"),
      live("imageMaximumGCAge", DURATION, Duration.ZERO),
      live("imageGCHighThresholdPercent", INT32, 85).flag("--image-gc-high-threshold"),
      live("imageGCLowThresholdPercent", INT32, 80).flag("--image-gc-low-threshold"),
      restart("volumeStatsAggPeriod", DURATION, s(60)).zeroDefault().flag("--volume-stats-agg-period"),
      restart("kubeletCgroups", STRING, "").flag("--kubelet-cgroups"),
      restart("systemCgroups", STRING, "").flag("--system-cgroups"),
      restart("cgroupRoot", STRING, "").flag("--cgroup-root"),
      restart("cgroupsPerQOS", BOOL, true).flag("--cgroups-per-qos"),
      restart("cgroupDriver", STRING, "cgroupfs").zeroDefault().flag("--cgroup-driver"),
      restart("cpuManagerPolicy", STRING, "none").zeroDefault().flag("--cpu-manager-policy"),
      restart("singleProcessOOMKill", BOOL, null),
      restart("cpuManagerPolicyOptions", STRING_MAP, null).flag("--cpu-manager-policy-options"),
      restart("cpuManagerReconcilePeriod", DURATION, s(10)).zeroDefault().flag("--cpu-manager-reconcile-period"),
      restart("draManagerReconcilePeriod", DURATION, s(60)).zeroDefault(),
      restart("memoryManagerPolicy", STRING, "None").zeroDefault().flag("--memory-manager-policy"),
      restart("topologyManagerPolicy", STRING, "none").zeroDefault().flag("--topology-manager-policy"),
      restart("topologyManagerScope", STRING, "container").zeroDefault().flag("--topology-manager-scope"),
      restart("topologyManagerPolicyOptions", STRING_MAP, null).flag("--topology-manager-policy-options"),
      restart("qosReserved", STRING_MAP, null).flag("--qos-reserved"),
      restart("runtimeRequestTimeout", DURATION, s(120)).zeroDefault().flag("--runtime-request-timeout"),
      restart("hairpinMode", STRING, "promiscuous-bridge").zeroDefault().flag("--hairpin-mode"),
      live("maxPods", INT32, 110).zeroDefault().flag("--max-pods"),
      restart("podCIDR", STRING, "").flag("--pod-cidr"),
      restart("podPidsLimit", INT64, -1L).flag("--pod-max-pids"),
      restart("resolvConf", STRING, "/etc/resolv.conf").flag("--resolv-conf"),
      restart("runOnce", BOOL, false).flag("--runonce"),
      restart("cpuCFSQuota", BOOL, true).flag("--cpu-cfs-quota"),
      restart("cpuCFSQuotaPeriod", DURATION, Duration.ofMillis(100)).flag("--cpu-cfs-quota-period"),
      live("nodeStatusMaxImages", INT32, 50).flag("--node-status-max-images"),
      restart("maxOpenFiles", INT64, 1_000_000L).zeroDefault().flag("--max-open-files"),
      restart("contentType", STRING, "application/vnd.kubernetes.protobuf").zeroDefault()
          .flag("--kube-api-content-type"),
      restart("kubeAPIQPS", INT32, 50).flag("--kube-api-qps"),
      restart("kubeAPIBurst", INT32, 100).zeroDefault().flag("--kube-api-burst"),
      restart("serializeImagePulls", BOOL, null).flag("--serialize-image-pulls"),
      restart("maxParallelImagePulls", INT32, null).flag("--max-parallel-image-pulls"),
      live("evictionHard", STRING_MAP, null).flag("--eviction-hard"),
      live("evictionSoft", STRING_MAP, null).flag("--eviction-soft"),
      live("evictionSoftGracePeriod", STRING_MAP, null).flag("--eviction-soft-grace-period"),
      live("evictionPressureTransitionPeriod", DURATION, s(300)).zeroDefault()
          .flag("--eviction-pressure-transition-period"),
      live("evictionMaxPodGracePeriod", INT32, 0).flag("--eviction-max-pod-grace-period"),
      live("evictionMinimumReclaim", STRING_MAP, null).flag("--eviction-minimum-reclaim"),
      live("mergeDefaultEvictionSettings", BOOL, false),
      live("podsPerCore", INT32, 0).flag("--pods-per-core"),
      restart("enableControllerAttachDetach", BOOL, true).flag("--enable-controller-attach-detach"),
      restart("protectKernelDefaults", BOOL, false).flag("--protect-kernel-defaults"),
      restart("makeIPTablesUtilChains", BOOL, true).flag("--make-iptables-util-chains"),
      restart("iptablesMasqueradeBit", INT32, 14).flag("--iptables-masquerade-bit"),
      restart("iptablesDropBit", INT32, 15).flag("--iptables-drop-bit"),
      restart("featureGates", BOOL_MAP, null).flag("--feature-gates"),
      restart("failSwapOn", BOOL, true).flag("--fail-swap-on"),
      restart("memorySwap.swapBehavior", STRING, ""),
      restart("containerLogMaxSize", QUANTITY, Quantity.parse("10Mi")).zeroDefault().flag("--container-log-max-size"),
      restart("containerLogMaxFiles", INT32, 5).flag("--container-log-max-files"),
      restart("containerLogMaxWorkers", INT32, 1).flag("--container-log-max-workers"),
      restart("containerLogMonitorInterval", DURATION, s(10)).flag("--container-log-monitor-interval"),
      restart("configMapAndSecretChangeDetectionStrategy", STRING, "Watch").zeroDefault(),
      restart("systemReserved", STRING_MAP, null).flag("--system-reserved"),
      restart("kubeReserved", STRING_MAP, null).flag("--kube-reserved"),
      restart("reservedSystemCPUs", STRING, "").flag("--reserved-cpus"),
      restart("showHiddenMetricsForVersion", STRING, "").flag("--show-hidden-metrics-for-version"),
      restart("systemReservedCgroup", STRING, "").flag("--system-reserved-cgroup"),
      restart("kubeReservedCgroup", STRING, "").flag("--kube-reserved-cgroup"),
      restart("enforceNodeAllocatable", STRING_LIST, List.of("pods")).flag("--enforce-node-allocatable"),
      restart("allowedUnsafeSysctls", STRING_LIST, null).flag("--allowed-unsafe-sysctls"),
      restart("volumePluginDir", STRING, "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/").zeroDefault()
          .flag("--volume-plugin-dir"),
      restart("providerID", STRING, "").flag("--provider-id"),
      restart("kernelMemcgNotification", BOOL, false).flag("--kernel-memcg-notification"),
      restart("logging.format", STRING, "text").zeroDefault().flag("--logging-format"),
      restart("logging.flushFrequency", DURATION, s(5)).zeroDefault().flag("--log-flush-frequency"),
      live("logging.verbosity", INT32, 0).flag("--v"),
      restart("logging.vmodule", OBJECT_LIST, null).flag("--vmodule"),
      restart("logging.options", OBJECT, Map.of(
          "json", Map.of("infoBufferSize", "0"), "text", Map.of("infoBufferSize", "0"))),
      restart("enableSystemLogHandler", BOOL, true),
      restart("enableSystemLogQuery", BOOL, false),
      restart("shutdownGracePeriod", DURATION, Duration.ZERO),
      restart("shutdownGracePeriodCriticalPods", DURATION, Duration.ZERO),
      restart("shutdownGracePeriodByPodPriority", OBJECT_LIST, null),
      restart("crashLoopBackOff.maxContainerRestartPeriod", DURATION, null),
      restart("reservedMemory", OBJECT_LIST, null),
      restart("enableProfilingHandler", BOOL, true),
      restart("enableDebugFlagsHandler", BOOL, true),
      restart("seccompDefault", BOOL, false).flag("--seccomp-default"),
      restart("memoryThrottlingFactor", FLOAT, 0.9),
      restart("memoryReservationPolicy", STRING, "None").zeroDefault(),
      restart("registerWithTaints", OBJECT_LIST, null).flag("--register-with-taints"),
      restart("registerNode", BOOL, true).flag("--register-node"),
      restart("tracing", OBJECT, null),
      restart("localStorageCapacityIsolation", BOOL, true).flag("--local-storage-capacity-isolation"),
      restart("containerRuntimeEndpoint", STRING, EMBEDDED_RUNTIME).zeroDefault().flag("--container-runtime-endpoint"),
      restart("imageServiceEndpoint", STRING, "").flag("--image-service-endpoint"),
      restart("failCgroupV1", BOOL, false),
      restart("userNamespaces.idsPerPod", INT64, null),
      restart("podHousekeepingPeriod", DURATION, s(2)));

  private static final Map<String, ConfigField> BY_PATH = index();

  /** Paths of objects that hold fields (authentication, authentication.x509, logging …). */
  public static final Set<String> STRUCTS = structs();

  /** Paths whose values, when relative and read from a file, resolve against that file's directory. */
  public static final List<String> PATH_FIELDS = List.of(
      "staticPodPath", "tlsCertFile", "tlsPrivateKeyFile", "authentication.x509.clientCAFile", "resolvConf");

  public static ConfigField field(String path) {
    return BY_PATH.get(path);
  }

  public static boolean isField(String path) {
    return BY_PATH.containsKey(path);
  }

  private static Map<String, ConfigField> index() {
    Map<String, ConfigField> m = new LinkedHashMap<>();
    for (ConfigField f : FIELDS) {
      if (m.put(f.path(), f) != null) {
        throw new IllegalStateException("duplicate config field " + f.path());
      }
    }
    return m;
  }

  private static Set<String> structs() {
    Set<String> s = new java.util.LinkedHashSet<>();
    for (ConfigField f : FIELDS) {
      String p = f.path();
      int dot;
      while ((dot = p.lastIndexOf('.')) > 0) {
        p = p.substring(0, dot);
        s.add(p);
      }
    }
    return Set.copyOf(s);
  }

  static Map<String, String> orderedMap(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
