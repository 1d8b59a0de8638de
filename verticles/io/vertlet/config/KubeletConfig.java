package io.vertlet.config;

import io.vertlet.events.GoDuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The EFFECTIVE kubelet configuration: the KubeletConfiguration v1beta1 fields (file, drop-ins and
 * flags merged, upstream defaults applied, validated) plus the settings only flags can give (node
 * name, root dir, kubeconfig …). Immutable; safe to pass by reference over the local event bus.
 *
 * <p>Every field has a typed accessor named like its JSON key ({@link #syncFrequency()} is a
 * {@link Duration}, {@link #containerLogMaxSize()} a {@link Quantity}); nested blocks are records
 * ({@link #authentication()}, {@link #authorization()}, {@link #logging()}, {@link #memorySwap()}).
 * A field upstream leaves unset without a default (e.g. {@code maxParallelImagePulls}) reads as null.
 */
public final class KubeletConfig implements io.vertlet.bus.ConfigView {

  /** Settings that only flags provide; they never change while the process runs. */
  public record FlagSettings(
      String nodeName,
      String hostnameOverride,
      String nodeIP,
      Path rootDir,
      Path certDir,
      Path kubeconfig,
      Path bootstrapKubeconfig,
      Path configFile,
      Path configDir,
      Map<String, String> nodeLabels,
      String podInfraContainerImage,
      String cloudProvider,
      Path imageCredentialProviderConfig,
      Path imageCredentialProviderBinDir,
      Path lockFile,
      boolean exitOnLockContention,
      boolean strictConfig) {

    public FlagSettings {
      nodeLabels = nodeLabels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(nodeLabels));
    }

    /** Values as a JSON-like map, for print-effective and logs. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("nodeName", nodeName);
      m.put("hostnameOverride", hostnameOverride);
      m.put("nodeIP", nodeIP);
      m.put("rootDir", str(rootDir));
      m.put("certDir", str(certDir));
      m.put("kubeconfig", str(kubeconfig));
      m.put("bootstrapKubeconfig", str(bootstrapKubeconfig));
      m.put("config", str(configFile));
      m.put("configDir", str(configDir));
      m.put("nodeLabels", nodeLabels);
      m.put("podInfraContainerImage", podInfraContainerImage);
      m.put("cloudProvider", cloudProvider);
      m.put("imageCredentialProviderConfig", str(imageCredentialProviderConfig));
      m.put("imageCredentialProviderBinDir", str(imageCredentialProviderBinDir));
      m.put("lockFile", str(lockFile));
      m.put("exitOnLockContention", exitOnLockContention);
      m.put("strictConfig", strictConfig);
      m.values().removeIf(v -> v == null || (v instanceof Map<?, ?> mm && mm.isEmpty()));
      return m;
    }

    private static String str(Path p) {
      return p == null ? null : p.toString();
    }
  }

  /** {@code authentication}. */
  public record Authentication(X509 x509, Webhook webhook, Anonymous anonymous) {
    public record X509(String clientCAFile) {}
    public record Webhook(boolean enabled, Duration cacheTTL) {}
    public record Anonymous(boolean enabled) {}
  }

  /** {@code authorization}: mode {@code Webhook} or {@code AlwaysAllow}. */
  public record Authorization(String mode, Webhook webhook) {
    public record Webhook(Duration cacheAuthorizedTTL, Duration cacheUnauthorizedTTL) {}
  }

  /** {@code logging}. */
  public record Logging(String format, Duration flushFrequency, int verbosity, List<Map<String, Object>> vmodule,
      Map<String, Object> options) {}

  /** {@code memorySwap}. */
  public record MemorySwap(String swapBehavior) {}

  private final Map<String, Object> values;
  private final FlagSettings flags;

  /** {@code values}: every schema path to its normalized value (null when unset). */
  KubeletConfig(Map<String, Object> values, FlagSettings flags) {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (ConfigField f : ConfigSchema.FIELDS) {
      copy.put(f.path(), values.get(f.path()));
    }
    this.values = Collections.unmodifiableMap(copy);
    this.flags = Objects.requireNonNull(flags);
  }

  /** The value of a field by its dotted path, typed as {@link ConfigField.Kind} says. */
  @SuppressWarnings("unchecked")
  public <T> T get(String path) {
    if (!ConfigSchema.isField(path)) {
      throw new IllegalArgumentException("no KubeletConfiguration field " + path);
    }
    return (T) values.get(path);
  }

  /** Every field by dotted path (unmodifiable, normalized values). */
  public Map<String, Object> values() {
    return values;
  }

  public FlagSettings flags() {
    return flags;
  }

  // ---- flag-only settings ----

  /** The Node's name: --hostname-override, else the host name, lowercased. */
  public String nodeName() {
    return flags.nodeName();
  }

  /** --node-ip, or null (the node status code picks the first non-loopback address). */
  public String nodeIP() {
    return flags.nodeIP();
  }

  /** --root-dir (upstream default /var/lib/kubelet). */
  public Path rootDir() {
    return flags.rootDir();
  }

  /** --cert-dir (default {rootDir}/pki), where a self-signed serving certificate goes. */
  public Path certDir() {
    return flags.certDir();
  }

  /** --kubeconfig, or null in standalone mode. */
  public Path kubeconfig() {
    return flags.kubeconfig();
  }

  /** --bootstrap-kubeconfig, or null. */
  public Path bootstrapKubeconfig() {
    return flags.bootstrapKubeconfig();
  }

  /** --node-labels. */
  public Map<String, String> nodeLabels() {
    return flags.nodeLabels();
  }

  /** --pod-infra-container-image (the sandbox image). */
  public String podInfraContainerImage() {
    return flags.podInfraContainerImage();
  }

  // ---- derived conveniences ----

  /** Whether {@link #containerRuntimeEndpoint()} names vertlet's embedded runtime. */
  public boolean embeddedRuntime() {
    return ConfigSchema.EMBEDDED_RUNTIME.equals(containerRuntimeEndpoint());
  }

  /** Whether the unauthenticated read-only port is on. */
  public boolean readOnlyPortEnabled() {
    return readOnlyPort() != 0;
  }

  public Authentication authentication() {
    return new Authentication(
        new Authentication.X509(get("authentication.x509.clientCAFile")),
        new Authentication.Webhook(get("authentication.webhook.enabled"), get("authentication.webhook.cacheTTL")),
        new Authentication.Anonymous(get("authentication.anonymous.enabled")));
  }

  public Authorization authorization() {
    return new Authorization(get("authorization.mode"), new Authorization.Webhook(
        get("authorization.webhook.cacheAuthorizedTTL"), get("authorization.webhook.cacheUnauthorizedTTL")));
  }

  public Logging logging() {
    return new Logging(get("logging.format"), get("logging.flushFrequency"), (Integer) get("logging.verbosity"),
        get("logging.vmodule"), get("logging.options"));
  }

  public MemorySwap memorySwap() {
    return new MemorySwap(get("memorySwap.swapBehavior"));
  }

  public Duration crashLoopBackOffMaxContainerRestartPeriod() {
    return get("crashLoopBackOff.maxContainerRestartPeriod");
  }

  public Long userNamespacesIdsPerPod() {
    return get("userNamespaces.idsPerPod");
  }

  /** {@link #evictionHard()} parsed (already validated). */
  public Map<String, Threshold> evictionHardThresholds() {
    return thresholds(evictionHard());
  }

  /** {@link #evictionSoft()} parsed (already validated). */
  public Map<String, Threshold> evictionSoftThresholds() {
    return thresholds(evictionSoft());
  }

  /** {@link #evictionMinimumReclaim()} parsed (already validated). */
  public Map<String, Threshold> evictionMinimumReclaimThresholds() {
    return thresholds(evictionMinimumReclaim());
  }

  /** {@link #evictionSoftGracePeriod()} parsed (already validated). */
  public Map<String, Duration> evictionSoftGracePeriods() {
    Map<String, Duration> m = new LinkedHashMap<>();
    if (evictionSoftGracePeriod() != null) {
      evictionSoftGracePeriod().forEach((k, v) -> m.put(k, GoDuration.parse(v)));
    }
    return Collections.unmodifiableMap(m);
  }

  private static Map<String, Threshold> thresholds(Map<String, String> raw) {
    Map<String, Threshold> m = new LinkedHashMap<>();
    if (raw != null) {
      raw.forEach((k, v) -> m.put(k, Threshold.parse(v)));
    }
    return Collections.unmodifiableMap(m);
  }

  // ---- shape, diff ----

  /**
   * The v1beta1 JSON shape with camelCase keys (apiVersion and kind included), as upstream's
   * {@code /configz} shows under {@code "kubeletconfig"}: durations in Go syntax, quantities as
   * written, unset and empty fields omitted.
   */
  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("apiVersion", ConfigSchema.API_VERSION);
    root.put("kind", ConfigSchema.KIND);
    for (ConfigField f : ConfigSchema.FIELDS) {
      Object v = render(values.get(f.path()));
      if (v == null || (v instanceof String s && s.isEmpty() && !f.path().equals("resolvConf"))
          || (v instanceof Map<?, ?> m && m.isEmpty()) || (v instanceof List<?> l && l.isEmpty())) {
        continue;
      }
      put(root, f.path(), v);
    }
    return root;
  }

  /** Field paths whose values differ between this and {@code other}, in schema order. */
  public List<String> diff(KubeletConfig other) {
    List<String> changed = new ArrayList<>();
    for (ConfigField f : ConfigSchema.FIELDS) {
      if (!Objects.equals(values.get(f.path()), other.values.get(f.path()))) {
        changed.add(f.path());
      }
    }
    return changed;
  }

  /** A copy of this config with the given field paths taken from {@code other}. */
  public KubeletConfig withFieldsFrom(KubeletConfig other, List<String> paths) {
    Map<String, Object> m = new LinkedHashMap<>(values);
    for (String p : paths) {
      m.put(p, other.values.get(p));
    }
    return new KubeletConfig(m, flags);
  }

  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> root, String path, Object v) {
    String[] parts = path.split("\\.");
    Map<String, Object> at = root;
    for (int i = 0; i < parts.length - 1; i++) {
      at = (Map<String, Object>) at.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
    }
    at.put(parts[parts.length - 1], v);
  }

  private static Object render(Object v) {
    if (v instanceof Duration d) {
      return GoDuration.format(d);
    }
    if (v instanceof Quantity q) {
      return q.text();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach((k, x) -> copy.put(String.valueOf(k), render(x)));
      return copy;
    }
    if (v instanceof List<?> l) {
      return new ArrayList<>(l.stream().map(KubeletConfig::render).toList());
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KubeletConfig k && values.equals(k.values) && flags.equals(k.flags);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "KubeletConfig" + toMap();
  }

  // ---- every top-level v1beta1 field, named like its JSON key ----

  public Boolean enableServer() {
    return get("enableServer");
  }

  public String staticPodPath() {
    return get("staticPodPath");
  }

  public String podLogsDir() {
    return get("podLogsDir");
  }

  public Duration syncFrequency() {
    return get("syncFrequency");
  }

  public Duration fileCheckFrequency() {
    return get("fileCheckFrequency");
  }

  public Duration httpCheckFrequency() {
    return get("httpCheckFrequency");
  }

  public String staticPodURL() {
    return get("staticPodURL");
  }

  public Map<String, List<String>> staticPodURLHeader() {
    return get("staticPodURLHeader");
  }

  public String address() {
    return get("address");
  }

  public Integer port() {
    return get("port");
  }

  public Integer readOnlyPort() {
    return get("readOnlyPort");
  }

  public String tlsCertFile() {
    return get("tlsCertFile");
  }

  public String tlsPrivateKeyFile() {
    return get("tlsPrivateKeyFile");
  }

  public List<String> tlsCipherSuites() {
    return get("tlsCipherSuites");
  }

  public List<Integer> tlsCurvePreferences() {
    return get("tlsCurvePreferences");
  }

  public String tlsMinVersion() {
    return get("tlsMinVersion");
  }

  public Boolean rotateCertificates() {
    return get("rotateCertificates");
  }

  public Boolean serverTLSBootstrap() {
    return get("serverTLSBootstrap");
  }

  public Integer registryPullQPS() {
    return get("registryPullQPS");
  }

  public Integer registryBurst() {
    return get("registryBurst");
  }

  public String imagePullCredentialsVerificationPolicy() {
    return get("imagePullCredentialsVerificationPolicy");
  }

  public List<String> preloadedImagesVerificationAllowlist() {
    return get("preloadedImagesVerificationAllowlist");
  }

  public Integer eventRecordQPS() {
    return get("eventRecordQPS");
  }

  public Integer eventBurst() {
    return get("eventBurst");
  }

  public Boolean enableDebuggingHandlers() {
    return get("enableDebuggingHandlers");
  }

  public Boolean enableContentionProfiling() {
    return get("enableContentionProfiling");
  }

  public Integer healthzPort() {
    return get("healthzPort");
  }

  public String healthzBindAddress() {
    return get("healthzBindAddress");
  }

  public Integer oomScoreAdj() {
    return get("oomScoreAdj");
  }

  public String clusterDomain() {
    return get("clusterDomain");
  }

  public List<String> clusterDNS() {
    return get("clusterDNS");
  }

  public Duration streamingConnectionIdleTimeout() {
    return get("streamingConnectionIdleTimeout");
  }

  public Duration nodeStatusUpdateFrequency() {
    return get("nodeStatusUpdateFrequency");
  }

  public Duration nodeStatusReportFrequency() {
    return get("nodeStatusReportFrequency");
  }

  public Integer nodeLeaseDurationSeconds() {
    return get("nodeLeaseDurationSeconds");
  }

  public Duration imageMinimumGCAge() {
    return get("imageMinimumGCAge");
  }

  public Duration imageMaximumGCAge() {
    return get("imageMaximumGCAge");
  }

  public Integer imageGCHighThresholdPercent() {
    return get("imageGCHighThresholdPercent");
  }

  public Integer imageGCLowThresholdPercent() {
    return get("imageGCLowThresholdPercent");
  }

  public Duration volumeStatsAggPeriod() {
    return get("volumeStatsAggPeriod");
  }

  public String kubeletCgroups() {
    return get("kubeletCgroups");
  }

  public String systemCgroups() {
    return get("systemCgroups");
  }

  public String cgroupRoot() {
    return get("cgroupRoot");
  }

  public Boolean cgroupsPerQOS() {
    return get("cgroupsPerQOS");
  }

  public String cgroupDriver() {
    return get("cgroupDriver");
  }

  public String cpuManagerPolicy() {
    return get("cpuManagerPolicy");
  }

  public Boolean singleProcessOOMKill() {
    return get("singleProcessOOMKill");
  }

  public Map<String, String> cpuManagerPolicyOptions() {
    return get("cpuManagerPolicyOptions");
  }

  public Duration cpuManagerReconcilePeriod() {
    return get("cpuManagerReconcilePeriod");
  }

  public Duration draManagerReconcilePeriod() {
    return get("draManagerReconcilePeriod");
  }

  public String memoryManagerPolicy() {
    return get("memoryManagerPolicy");
  }

  public String topologyManagerPolicy() {
    return get("topologyManagerPolicy");
  }

  public String topologyManagerScope() {
    return get("topologyManagerScope");
  }

  public Map<String, String> topologyManagerPolicyOptions() {
    return get("topologyManagerPolicyOptions");
  }

  public Map<String, String> qosReserved() {
    return get("qosReserved");
  }

  public Duration runtimeRequestTimeout() {
    return get("runtimeRequestTimeout");
  }

  public String hairpinMode() {
    return get("hairpinMode");
  }

  public Integer maxPods() {
    return get("maxPods");
  }

  public String podCIDR() {
    return get("podCIDR");
  }

  public Long podPidsLimit() {
    return get("podPidsLimit");
  }

  public String resolvConf() {
    return get("resolvConf");
  }

  public Boolean runOnce() {
    return get("runOnce");
  }

  public Boolean cpuCFSQuota() {
    return get("cpuCFSQuota");
  }

  public Duration cpuCFSQuotaPeriod() {
    return get("cpuCFSQuotaPeriod");
  }

  public Integer nodeStatusMaxImages() {
    return get("nodeStatusMaxImages");
  }

  public Long maxOpenFiles() {
    return get("maxOpenFiles");
  }

  public String contentType() {
    return get("contentType");
  }

  public Integer kubeAPIQPS() {
    return get("kubeAPIQPS");
  }

  public Integer kubeAPIBurst() {
    return get("kubeAPIBurst");
  }

  public Boolean serializeImagePulls() {
    return get("serializeImagePulls");
  }

  public Integer maxParallelImagePulls() {
    return get("maxParallelImagePulls");
  }

  public Map<String, String> evictionHard() {
    return get("evictionHard");
  }

  public Map<String, String> evictionSoft() {
    return get("evictionSoft");
  }

  public Map<String, String> evictionSoftGracePeriod() {
    return get("evictionSoftGracePeriod");
  }

  public Duration evictionPressureTransitionPeriod() {
    return get("evictionPressureTransitionPeriod");
  }

  public Integer evictionMaxPodGracePeriod() {
    return get("evictionMaxPodGracePeriod");
  }

  public Map<String, String> evictionMinimumReclaim() {
    return get("evictionMinimumReclaim");
  }

  public Boolean mergeDefaultEvictionSettings() {
    return get("mergeDefaultEvictionSettings");
  }

  public Integer podsPerCore() {
    return get("podsPerCore");
  }

  public Boolean enableControllerAttachDetach() {
    return get("enableControllerAttachDetach");
  }

  public Boolean protectKernelDefaults() {
    return get("protectKernelDefaults");
  }

  public Boolean makeIPTablesUtilChains() {
    return get("makeIPTablesUtilChains");
  }

  public Integer iptablesMasqueradeBit() {
    return get("iptablesMasqueradeBit");
  }

  public Integer iptablesDropBit() {
    return get("iptablesDropBit");
  }

  public Map<String, Boolean> featureGates() {
    return get("featureGates");
  }

  public Boolean failSwapOn() {
    return get("failSwapOn");
  }

  public Quantity containerLogMaxSize() {
    return get("containerLogMaxSize");
  }

  public Integer containerLogMaxFiles() {
    return get("containerLogMaxFiles");
  }

  public Integer containerLogMaxWorkers() {
    return get("containerLogMaxWorkers");
  }

  public Duration containerLogMonitorInterval() {
    return get("containerLogMonitorInterval");
  }

  public String configMapAndSecretChangeDetectionStrategy() {
    return get("configMapAndSecretChangeDetectionStrategy");
  }

  public Map<String, String> systemReserved() {
    return get("systemReserved");
  }

  public Map<String, String> kubeReserved() {
    return get("kubeReserved");
  }

  public String reservedSystemCPUs() {
    return get("reservedSystemCPUs");
  }

  public String showHiddenMetricsForVersion() {
    return get("showHiddenMetricsForVersion");
  }

  public String systemReservedCgroup() {
    return get("systemReservedCgroup");
  }

  public String kubeReservedCgroup() {
    return get("kubeReservedCgroup");
  }

  public List<String> enforceNodeAllocatable() {
    return get("enforceNodeAllocatable");
  }

  public List<String> allowedUnsafeSysctls() {
    return get("allowedUnsafeSysctls");
  }

  public String volumePluginDir() {
    return get("volumePluginDir");
  }

  public String providerID() {
    return get("providerID");
  }

  public Boolean kernelMemcgNotification() {
    return get("kernelMemcgNotification");
  }

  public Boolean enableSystemLogHandler() {
    return get("enableSystemLogHandler");
  }

  public Boolean enableSystemLogQuery() {
    return get("enableSystemLogQuery");
  }

  public Duration shutdownGracePeriod() {
    return get("shutdownGracePeriod");
  }

  public Duration shutdownGracePeriodCriticalPods() {
    return get("shutdownGracePeriodCriticalPods");
  }

  public List<Map<String, Object>> shutdownGracePeriodByPodPriority() {
    return get("shutdownGracePeriodByPodPriority");
  }

  public List<Map<String, Object>> reservedMemory() {
    return get("reservedMemory");
  }

  public Boolean enableProfilingHandler() {
    return get("enableProfilingHandler");
  }

  public Boolean enableDebugFlagsHandler() {
    return get("enableDebugFlagsHandler");
  }

  public Boolean seccompDefault() {
    return get("seccompDefault");
  }

  public Double memoryThrottlingFactor() {
    return get("memoryThrottlingFactor");
  }

  public String memoryReservationPolicy() {
    return get("memoryReservationPolicy");
  }

  public List<Map<String, Object>> registerWithTaints() {
    return get("registerWithTaints");
  }

  public Boolean registerNode() {
    return get("registerNode");
  }

  public Map<String, Object> tracing() {
    return get("tracing");
  }

  public Boolean localStorageCapacityIsolation() {
    return get("localStorageCapacityIsolation");
  }

  public String containerRuntimeEndpoint() {
    return get("containerRuntimeEndpoint");
  }

  public String imageServiceEndpoint() {
    return get("imageServiceEndpoint");
  }

  public Boolean failCgroupV1() {
    return get("failCgroupV1");
  }

  public Duration podHousekeepingPeriod() {
    return get("podHousekeepingPeriod");
  }
}
