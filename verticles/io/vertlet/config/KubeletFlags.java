package io.vertlet.config;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The kubelet's command-line flags, usable as a picocli {@code @Mixin}. Kubelet style works as is:
 * {@code --flag=value}, {@code --fail-swap-on=false}, lists {@code --cluster-dns=a,b}, maps
 * {@code --node-labels=k=v,k2=v2}, {@code --eviction-hard=memory.available<100Mi,...}, {@code --v=N}.
 *
 * <p>Every flag that sets a KubeletConfiguration field is kept as given (null when absent) and turned
 * into typed values by {@link ConfigLoader}, so a bad value is reported with all other errors at once.
 * Flags removed from the kubelet long ago but still found in old units are accepted with one
 * deprecation warning each.
 */
public final class KubeletFlags {

  /** Flags that no longer exist upstream, each with why vertlet can ignore it. */
  static final Map<String, String> REMOVED = removed();

  private static Map<String, String> removed() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("--allow-privileged", "privileged containers are decided per pod (securityContext, Pod Security admission)");
    m.put("--require-kubeconfig", "the --kubeconfig file is used whenever it is given");
    m.put("--network-plugin", "pod networking belongs to the CRI runtime (its CNI configuration)");
    m.put("--cni-conf-dir", "pod networking belongs to the CRI runtime (its CNI configuration)");
    m.put("--cni-bin-dir", "pod networking belongs to the CRI runtime (its CNI configuration)");
    m.put("--cni-cache-dir", "pod networking belongs to the CRI runtime (its CNI configuration)");
    m.put("--network-plugin-mtu", "pod networking belongs to the CRI runtime (its CNI configuration)");
    m.put("--non-masquerade-cidr", "masquerading belongs to the network plugin and kube-proxy");
    m.put("--docker-endpoint", "the kubelet talks CRI only; use --container-runtime-endpoint");
    m.put("--container-runtime", "the kubelet talks CRI only; use --container-runtime-endpoint");
    m.put("--cadvisor-port", "container stats are served on the kubelet port");
    m.put("--api-servers", "the API server comes from --kubeconfig");
    m.put("--dynamic-config-dir", "dynamic kubelet configuration was removed; vertlet watches --config instead");
    m.put("--image-pull-progress-deadline", "image pulls are the CRI runtime's business");
    m.put("--master-service-namespace", "service environment variables come from every namespace's services");
    m.put("--register-schedulable", "use --register-with-taints");
    m.put("--keep-terminated-pod-volumes", "volumes of terminated pods are always cleaned up");
    m.put("--minimum-container-ttl-duration", "dead containers are collected by eviction and container GC");
    m.put("--maximum-dead-containers", "dead containers are collected by eviction and container GC");
    m.put("--maximum-dead-containers-per-container", "dead containers are collected by eviction and container GC");
    m.put("--experimental-mounter-path", "volume mounting is not vertlet's business");
    m.put("--seccomp-profile-root", "seccomp profiles live under <root-dir>/seccomp");
    return m;
  }

  // ---- flags that only flags can set ----

  @Option(names = "--config", paramLabel = "FILE",
      description = "KubeletConfiguration file (YAML or JSON, kubelet.config.k8s.io/v1beta1).")
  Path config;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "Drop-in directory: its *.conf files are merged over --config in lexical order.")
  Path configDir;

  @Option(names = "--strict-config", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Treat unknown KubeletConfiguration fields as errors instead of warnings.")
  Boolean strictConfig;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "kubeconfig for the API server; absent = standalone mode.")
  Path kubeconfig;

  @Option(names = "--bootstrap-kubeconfig", paramLabel = "FILE",
      description = "kubeconfig used only while the --kubeconfig file does not exist.")
  Path bootstrapKubeconfig;

  @Option(names = "--cert-dir", paramLabel = "DIR", description = "Where generated TLS certificates go "
      + "(default <root-dir>/pki).")
  Path certDir;

  @Option(names = "--root-dir", paramLabel = "DIR", description = "State directory (default /var/lib/kubelet).")
  Path rootDir;

  @Option(names = "--hostname-override", paramLabel = "NAME", description = "Node name instead of the host name.")
  String hostnameOverride;

  @Option(names = "--node-ip", paramLabel = "IP[,IP]", description = "IP address(es) of the node.")
  String nodeIp;

  @Option(names = "--node-labels", split = ",", paramLabel = "K=V",
      description = "Labels to add when registering the node.")
  List<String> nodeLabels;

  @Option(names = "--pod-infra-container-image", paramLabel = "IMAGE", description = "Sandbox (pause) image.")
  String podInfraContainerImage;

  @Option(names = "--cloud-provider", paramLabel = "NAME", description = "Only \"external\" or empty is meaningful.")
  String cloudProvider;

  @Option(names = "--image-credential-provider-config", paramLabel = "FILE",
      description = "Credential provider plugin configuration (accepted, not used by vertlet).")
  Path imageCredentialProviderConfig;

  @Option(names = "--image-credential-provider-bin-dir", paramLabel = "DIR",
      description = "Credential provider plugin binaries (accepted, not used by vertlet).")
  Path imageCredentialProviderBinDir;

  @Option(names = "--lock-file", paramLabel = "FILE", description = "Lock file held while running.")
  Path lockFile;

  @Option(names = "--exit-on-lock-contention", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "Exit when another process takes the lock file.")
  Boolean exitOnLockContention;

  // ---- removed upstream, accepted with a deprecation warning ----

  @Option(names = "--allow-privileged", arity = "0..1", fallbackValue = "", hidden = true) String allowPrivileged;
  @Option(names = "--require-kubeconfig", arity = "0..1", fallbackValue = "", hidden = true) String requireKubeconfig;
  @Option(names = "--network-plugin", arity = "0..1", fallbackValue = "", hidden = true) String networkPlugin;
  @Option(names = "--cni-conf-dir", arity = "0..1", fallbackValue = "", hidden = true) String cniConfDir;
  @Option(names = "--cni-bin-dir", arity = "0..1", fallbackValue = "", hidden = true) String cniBinDir;
  @Option(names = "--cni-cache-dir", arity = "0..1", fallbackValue = "", hidden = true) String cniCacheDir;
  @Option(names = "--network-plugin-mtu", arity = "0..1", fallbackValue = "", hidden = true) String networkPluginMtu;
  @Option(names = "--non-masquerade-cidr", arity = "0..1", fallbackValue = "", hidden = true)
  String nonMasqueradeCidr;
  @Option(names = "--docker-endpoint", arity = "0..1", fallbackValue = "", hidden = true) String dockerEndpoint;
  @Option(names = "--container-runtime", arity = "0..1", fallbackValue = "", hidden = true) String containerRuntime;
  @Option(names = "--cadvisor-port", arity = "0..1", fallbackValue = "", hidden = true) String cadvisorPort;
  @Option(names = "--api-servers", arity = "0..1", fallbackValue = "", hidden = true) String apiServers;
  @Option(names = "--dynamic-config-dir", arity = "0..1", fallbackValue = "", hidden = true) String dynamicConfigDir;
  @Option(names = "--image-pull-progress-deadline", arity = "0..1", fallbackValue = "", hidden = true)
  String imagePullProgressDeadline;
  @Option(names = "--master-service-namespace", arity = "0..1", fallbackValue = "", hidden = true)
  String masterServiceNamespace;
  @Option(names = "--register-schedulable", arity = "0..1", fallbackValue = "", hidden = true)
  String registerSchedulable;
  @Option(names = "--keep-terminated-pod-volumes", arity = "0..1", fallbackValue = "", hidden = true)
  String keepTerminatedPodVolumes;
  @Option(names = "--minimum-container-ttl-duration", arity = "0..1", fallbackValue = "", hidden = true)
  String minimumContainerTtlDuration;
  @Option(names = "--maximum-dead-containers", arity = "0..1", fallbackValue = "", hidden = true)
  String maximumDeadContainers;
  @Option(names = "--maximum-dead-containers-per-container", arity = "0..1", fallbackValue = "", hidden = true)
  String maximumDeadContainersPerContainer;
  @Option(names = "--experimental-mounter-path", arity = "0..1", fallbackValue = "", hidden = true)
  String experimentalMounterPath;
  @Option(names = "--seccomp-profile-root", arity = "0..1", fallbackValue = "", hidden = true)
  String seccompProfileRoot;

  // ---- flags that set a KubeletConfiguration field (override the file's value) ----

  @Option(names = "--pod-manifest-path", paramLabel = "VALUE", description = "KubeletConfiguration staticPodPath.")
  String podManifestPath;

  @Option(names = "--sync-frequency", paramLabel = "VALUE", description = "KubeletConfiguration syncFrequency.")
  String syncFrequency;

  @Option(names = "--file-check-frequency", paramLabel = "VALUE", description = "KubeletConfiguration fileCheckFrequency.")
  String fileCheckFrequency;

  @Option(names = "--http-check-frequency", paramLabel = "VALUE", description = "KubeletConfiguration httpCheckFrequency.")
  String httpCheckFrequency;

  @Option(names = "--manifest-url", paramLabel = "VALUE", description = "KubeletConfiguration staticPodURL.")
  String manifestUrl;

  @Option(names = "--manifest-url-header", split = ",", paramLabel = "LIST", description = "KubeletConfiguration staticPodURLHeader.")
  List<String> manifestUrlHeader;

  @Option(names = "--address", paramLabel = "VALUE", description = "KubeletConfiguration address.")
  String address;

  @Option(names = "--port", paramLabel = "VALUE", description = "KubeletConfiguration port.")
  String port;

  @Option(names = "--read-only-port", paramLabel = "VALUE", description = "KubeletConfiguration readOnlyPort.")
  String readOnlyPort;

  @Option(names = "--tls-cert-file", paramLabel = "VALUE", description = "KubeletConfiguration tlsCertFile.")
  String tlsCertFile;

  @Option(names = "--tls-private-key-file", paramLabel = "VALUE", description = "KubeletConfiguration tlsPrivateKeyFile.")
  String tlsPrivateKeyFile;

  @Option(names = "--tls-cipher-suites", split = ",", paramLabel = "LIST", description = "KubeletConfiguration tlsCipherSuites.")
  List<String> tlsCipherSuites;

  @Option(names = "--tls-min-version", paramLabel = "VALUE", description = "KubeletConfiguration tlsMinVersion.")
  String tlsMinVersion;

  @Option(names = "--rotate-certificates", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration rotateCertificates.")
  Boolean rotateCertificates;

  @Option(names = "--rotate-server-certificates", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration serverTLSBootstrap.")
  Boolean rotateServerCertificates;

  @Option(names = "--client-ca-file", paramLabel = "VALUE", description = "KubeletConfiguration authentication.x509.clientCAFile.")
  String clientCaFile;

  @Option(names = "--authentication-token-webhook", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration authentication.webhook.enabled.")
  Boolean authenticationTokenWebhook;

  @Option(names = "--authentication-token-webhook-cache-ttl", paramLabel = "VALUE", description = "KubeletConfiguration authentication.webhook.cacheTTL.")
  String authenticationTokenWebhookCacheTtl;

  @Option(names = "--anonymous-auth", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration authentication.anonymous.enabled.")
  Boolean anonymousAuth;

  @Option(names = "--authorization-mode", paramLabel = "VALUE", description = "KubeletConfiguration authorization.mode.")
  String authorizationMode;

  @Option(names = "--authorization-webhook-cache-authorized-ttl", paramLabel = "VALUE", description = "KubeletConfiguration authorization.webhook.cacheAuthorizedTTL.")
  String authorizationWebhookCacheAuthorizedTtl;

  @Option(names = "--authorization-webhook-cache-unauthorized-ttl", paramLabel = "VALUE", description = "KubeletConfiguration authorization.webhook.cacheUnauthorizedTTL.")
  String authorizationWebhookCacheUnauthorizedTtl;

  @Option(names = "--registry-qps", paramLabel = "VALUE", description = "KubeletConfiguration registryPullQPS.")
  String registryQps;

  @Option(names = "--registry-burst", paramLabel = "VALUE", description = "KubeletConfiguration registryBurst.")
  String registryBurst;

  @Option(names = "--event-qps", paramLabel = "VALUE", description = "KubeletConfiguration eventRecordQPS.")
  String eventQps;

  @Option(names = "--event-burst", paramLabel = "VALUE", description = "KubeletConfiguration eventBurst.")
  String eventBurst;

  @Option(names = "--enable-debugging-handlers", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration enableDebuggingHandlers.")
  Boolean enableDebuggingHandlers;

  @Option(names = "--contention-profiling", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration enableContentionProfiling.")
  Boolean contentionProfiling;

  @Option(names = "--healthz-port", paramLabel = "VALUE", description = "KubeletConfiguration healthzPort.")
  String healthzPort;

  @Option(names = "--healthz-bind-address", paramLabel = "VALUE", description = "KubeletConfiguration healthzBindAddress.")
  String healthzBindAddress;

  @Option(names = "--oom-score-adj", paramLabel = "VALUE", description = "KubeletConfiguration oomScoreAdj.")
  String oomScoreAdj;

  @Option(names = "--cluster-domain", paramLabel = "VALUE", description = "KubeletConfiguration clusterDomain.")
  String clusterDomain;

  @Option(names = "--cluster-dns", split = ",", paramLabel = "LIST", description = "KubeletConfiguration clusterDNS.")
  List<String> clusterDns;

  @Option(names = "--streaming-connection-idle-timeout", paramLabel = "VALUE", description = "KubeletConfiguration streamingConnectionIdleTimeout.")
  String streamingConnectionIdleTimeout;

  @Option(names = "--node-status-update-frequency", paramLabel = "VALUE", description = "KubeletConfiguration nodeStatusUpdateFrequency.")
  String nodeStatusUpdateFrequency;

  @Option(names = "--minimum-image-ttl-duration", paramLabel = "VALUE", description = "KubeletConfiguration imageMinimumGCAge.")
  String minimumImageTtlDuration;

  @Option(names = "--image-gc-high-threshold", paramLabel = "VALUE", description = "KubeletConfiguration imageGCHighThresholdPercent.")
  String imageGcHighThreshold;

  @Option(names = "--image-gc-low-threshold", paramLabel = "VALUE", description = "KubeletConfiguration imageGCLowThresholdPercent.")
  String imageGcLowThreshold;

  @Option(names = "--volume-stats-agg-period", paramLabel = "VALUE", description = "KubeletConfiguration volumeStatsAggPeriod.")
  String volumeStatsAggPeriod;

  @Option(names = "--kubelet-cgroups", paramLabel = "VALUE", description = "KubeletConfiguration kubeletCgroups.")
  String kubeletCgroups;

  @Option(names = "--system-cgroups", paramLabel = "VALUE", description = "KubeletConfiguration systemCgroups.")
  String systemCgroups;

  @Option(names = "--cgroup-root", paramLabel = "VALUE", description = "KubeletConfiguration cgroupRoot.")
  String cgroupRoot;

  @Option(names = "--cgroups-per-qos", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration cgroupsPerQOS.")
  Boolean cgroupsPerQos;

  @Option(names = "--cgroup-driver", paramLabel = "VALUE", description = "KubeletConfiguration cgroupDriver.")
  String cgroupDriver;

  @Option(names = "--cpu-manager-policy", paramLabel = "VALUE", description = "KubeletConfiguration cpuManagerPolicy.")
  String cpuManagerPolicy;

  @Option(names = "--cpu-manager-policy-options", split = ",", paramLabel = "LIST", description = "KubeletConfiguration cpuManagerPolicyOptions.")
  List<String> cpuManagerPolicyOptions;

  @Option(names = "--cpu-manager-reconcile-period", paramLabel = "VALUE", description = "KubeletConfiguration cpuManagerReconcilePeriod.")
  String cpuManagerReconcilePeriod;

  @Option(names = "--memory-manager-policy", paramLabel = "VALUE", description = "KubeletConfiguration memoryManagerPolicy.")
  String memoryManagerPolicy;

  @Option(names = "--topology-manager-policy", paramLabel = "VALUE", description = "KubeletConfiguration topologyManagerPolicy.")
  String topologyManagerPolicy;

  @Option(names = "--topology-manager-scope", paramLabel = "VALUE", description = "KubeletConfiguration topologyManagerScope.")
  String topologyManagerScope;

  @Option(names = "--topology-manager-policy-options", split = ",", paramLabel = "LIST", description = "KubeletConfiguration topologyManagerPolicyOptions.")
  List<String> topologyManagerPolicyOptions;

  @Option(names = "--qos-reserved", split = ",", paramLabel = "LIST", description = "KubeletConfiguration qosReserved.")
  List<String> qosReserved;

  @Option(names = "--runtime-request-timeout", paramLabel = "VALUE", description = "KubeletConfiguration runtimeRequestTimeout.")
  String runtimeRequestTimeout;

  @Option(names = "--hairpin-mode", paramLabel = "VALUE", description = "KubeletConfiguration hairpinMode.")
  String hairpinMode;

  @Option(names = "--max-pods", paramLabel = "VALUE", description = "KubeletConfiguration maxPods.")
  String maxPods;

  @Option(names = "--pod-cidr", paramLabel = "VALUE", description = "KubeletConfiguration podCIDR.")
  String podCidr;

  @Option(names = "--pod-max-pids", paramLabel = "VALUE", description = "KubeletConfiguration podPidsLimit.")
  String podMaxPids;

  @Option(names = "--resolv-conf", paramLabel = "VALUE", description = "KubeletConfiguration resolvConf.")
  String resolvConf;

  @Option(names = "--runonce", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration runOnce.")
  Boolean runonce;

  @Option(names = "--cpu-cfs-quota", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration cpuCFSQuota.")
  Boolean cpuCfsQuota;

  @Option(names = "--cpu-cfs-quota-period", paramLabel = "VALUE", description = "KubeletConfiguration cpuCFSQuotaPeriod.")
  String cpuCfsQuotaPeriod;

  @Option(names = "--node-status-max-images", paramLabel = "VALUE", description = "KubeletConfiguration nodeStatusMaxImages.")
  String nodeStatusMaxImages;

  @Option(names = "--max-open-files", paramLabel = "VALUE", description = "KubeletConfiguration maxOpenFiles.")
  String maxOpenFiles;

  @Option(names = "--kube-api-content-type", paramLabel = "VALUE", description = "KubeletConfiguration contentType.")
  String kubeApiContentType;

  @Option(names = "--kube-api-qps", paramLabel = "VALUE", description = "KubeletConfiguration kubeAPIQPS.")
  String kubeApiQps;

  @Option(names = "--kube-api-burst", paramLabel = "VALUE", description = "KubeletConfiguration kubeAPIBurst.")
  String kubeApiBurst;

  @Option(names = "--serialize-image-pulls", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration serializeImagePulls.")
  Boolean serializeImagePulls;

  @Option(names = "--max-parallel-image-pulls", paramLabel = "VALUE", description = "KubeletConfiguration maxParallelImagePulls.")
  String maxParallelImagePulls;

  @Option(names = "--eviction-hard", split = ",", paramLabel = "LIST", description = "KubeletConfiguration evictionHard.")
  List<String> evictionHard;

  @Option(names = "--eviction-soft", split = ",", paramLabel = "LIST", description = "KubeletConfiguration evictionSoft.")
  List<String> evictionSoft;

  @Option(names = "--eviction-soft-grace-period", split = ",", paramLabel = "LIST", description = "KubeletConfiguration evictionSoftGracePeriod.")
  List<String> evictionSoftGracePeriod;

  @Option(names = "--eviction-pressure-transition-period", paramLabel = "VALUE", description = "KubeletConfiguration evictionPressureTransitionPeriod.")
  String evictionPressureTransitionPeriod;

  @Option(names = "--eviction-max-pod-grace-period", paramLabel = "VALUE", description = "KubeletConfiguration evictionMaxPodGracePeriod.")
  String evictionMaxPodGracePeriod;

  @Option(names = "--eviction-minimum-reclaim", split = ",", paramLabel = "LIST", description = "KubeletConfiguration evictionMinimumReclaim.")
  List<String> evictionMinimumReclaim;

  @Option(names = "--pods-per-core", paramLabel = "VALUE", description = "KubeletConfiguration podsPerCore.")
  String podsPerCore;

  @Option(names = "--enable-controller-attach-detach", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration enableControllerAttachDetach.")
  Boolean enableControllerAttachDetach;

  @Option(names = "--protect-kernel-defaults", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration protectKernelDefaults.")
  Boolean protectKernelDefaults;

  @Option(names = "--make-iptables-util-chains", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration makeIPTablesUtilChains.")
  Boolean makeIptablesUtilChains;

  @Option(names = "--iptables-masquerade-bit", paramLabel = "VALUE", description = "KubeletConfiguration iptablesMasqueradeBit.")
  String iptablesMasqueradeBit;

  @Option(names = "--iptables-drop-bit", paramLabel = "VALUE", description = "KubeletConfiguration iptablesDropBit.")
  String iptablesDropBit;

  @Option(names = "--feature-gates", split = ",", paramLabel = "LIST", description = "KubeletConfiguration featureGates.")
  List<String> featureGates;

  @Option(names = "--fail-swap-on", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration failSwapOn.")
  Boolean failSwapOn;

  @Option(names = "--container-log-max-size", paramLabel = "VALUE", description = "KubeletConfiguration containerLogMaxSize.")
  String containerLogMaxSize;

  @Option(names = "--container-log-max-files", paramLabel = "VALUE", description = "KubeletConfiguration containerLogMaxFiles.")
  String containerLogMaxFiles;

  @Option(names = "--container-log-max-workers", paramLabel = "VALUE", description = "KubeletConfiguration containerLogMaxWorkers.")
  String containerLogMaxWorkers;

  @Option(names = "--container-log-monitor-interval", paramLabel = "VALUE", description = "KubeletConfiguration containerLogMonitorInterval.")
  String containerLogMonitorInterval;

  @Option(names = "--system-reserved", split = ",", paramLabel = "LIST", description = "KubeletConfiguration systemReserved.")
  List<String> systemReserved;

  @Option(names = "--kube-reserved", split = ",", paramLabel = "LIST", description = "KubeletConfiguration kubeReserved.")
  List<String> kubeReserved;

  @Option(names = "--reserved-cpus", paramLabel = "VALUE", description = "KubeletConfiguration reservedSystemCPUs.")
  String reservedCpus;

  @Option(names = "--show-hidden-metrics-for-version", paramLabel = "VALUE", description = "KubeletConfiguration showHiddenMetricsForVersion.")
  String showHiddenMetricsForVersion;

  @Option(names = "--system-reserved-cgroup", paramLabel = "VALUE", description = "KubeletConfiguration systemReservedCgroup.")
  String systemReservedCgroup;

  @Option(names = "--kube-reserved-cgroup", paramLabel = "VALUE", description = "KubeletConfiguration kubeReservedCgroup.")
  String kubeReservedCgroup;

  @Option(names = "--enforce-node-allocatable", split = ",", paramLabel = "LIST", description = "KubeletConfiguration enforceNodeAllocatable.")
  List<String> enforceNodeAllocatable;

  @Option(names = "--allowed-unsafe-sysctls", split = ",", paramLabel = "LIST", description = "KubeletConfiguration allowedUnsafeSysctls.")
  List<String> allowedUnsafeSysctls;

  @Option(names = "--volume-plugin-dir", paramLabel = "VALUE", description = "KubeletConfiguration volumePluginDir.")
  String volumePluginDir;

  @Option(names = "--provider-id", paramLabel = "VALUE", description = "KubeletConfiguration providerID.")
  String providerId;

  @Option(names = "--kernel-memcg-notification", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration kernelMemcgNotification.")
  Boolean kernelMemcgNotification;

  @Option(names = "--logging-format", paramLabel = "VALUE", description = "KubeletConfiguration logging.format.")
  String loggingFormat;

  @Option(names = "--log-flush-frequency", paramLabel = "VALUE", description = "KubeletConfiguration logging.flushFrequency.")
  String logFlushFrequency;

  @Option(names = {"--v", "-v"}, paramLabel = "N", description = "KubeletConfiguration logging.verbosity.")
  String verbosity;

  @Option(names = "--vmodule", split = ",", paramLabel = "LIST", description = "KubeletConfiguration logging.vmodule.")
  List<String> vmodule;

  @Option(names = "--seccomp-default", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration seccompDefault.")
  Boolean seccompDefault;

  @Option(names = "--register-with-taints", split = ",", paramLabel = "LIST", description = "KubeletConfiguration registerWithTaints.")
  List<String> registerWithTaints;

  @Option(names = "--register-node", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration registerNode.")
  Boolean registerNode;

  @Option(names = "--local-storage-capacity-isolation", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
      description = "KubeletConfiguration localStorageCapacityIsolation.")
  Boolean localStorageCapacityIsolation;

  @Option(names = "--container-runtime-endpoint", paramLabel = "VALUE", description = "KubeletConfiguration containerRuntimeEndpoint.")
  String containerRuntimeEndpoint;

  @Option(names = "--image-service-endpoint", paramLabel = "VALUE", description = "KubeletConfiguration imageServiceEndpoint.")
  String imageServiceEndpoint;

  // ---- API ----

  /** Parses kubelet-style arguments (tests, tools); throws picocli's ParameterException on bad usage. */
  public static KubeletFlags parse(String... args) {
    Holder holder = new Holder();
    CommandLine cli = new CommandLine(holder);
    cli.setOverwrittenOptionsAllowed(true);
    cli.parseArgs(args);
    return holder.flags;
  }

  @Command(name = "kubelet-flags")
  static final class Holder {
    @Mixin KubeletFlags flags = new KubeletFlags();
  }

  public Path config() {
    return config;
  }

  public Path configDir() {
    return configDir;
  }

  public boolean strictConfig() {
    return Boolean.TRUE.equals(strictConfig);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path bootstrapKubeconfig() {
    return bootstrapKubeconfig;
  }

  public Path certDir() {
    return certDir;
  }

  public Path rootDir() {
    return rootDir;
  }

  public String hostnameOverride() {
    return hostnameOverride;
  }

  public String nodeIp() {
    return nodeIp;
  }

  public String podInfraContainerImage() {
    return podInfraContainerImage;
  }

  public String cloudProvider() {
    return cloudProvider;
  }

  public Path imageCredentialProviderConfig() {
    return imageCredentialProviderConfig;
  }

  public Path imageCredentialProviderBinDir() {
    return imageCredentialProviderBinDir;
  }

  public Path lockFile() {
    return lockFile;
  }

  public boolean exitOnLockContention() {
    return Boolean.TRUE.equals(exitOnLockContention);
  }

  /** --node-labels as a map; malformed entries are reported into {@code errors}. */
  public Map<String, String> nodeLabels(List<String> errors) {
    return keyValues("--node-labels", nodeLabels, '=', errors);
  }

  /** One warning per removed flag that was given. */
  public List<String> deprecationWarnings() {
    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, Object> e : given().entrySet()) {
      String why = REMOVED.get(e.getKey());
      if (why != null) {
        String value = String.valueOf(e.getValue());
        warnings.add("flag " + e.getKey() + (value.isEmpty() ? "" : "=" + value)
            + " no longer exists in the kubelet; accepted and ignored (" + why + ")");
      }
    }
    return warnings;
  }

  /**
   * The KubeletConfiguration fields set by flags, by dotted path, as JSON-like raw values (strings,
   * booleans, lists, maps) for {@link ConfigLoader} to type and validate. Malformed list/map syntax is
   * reported into {@code errors} naming the flag.
   */
  public Map<String, Object> fieldOverrides(List<String> errors) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : given().entrySet()) {
      ConfigField field = byFlag(e.getKey());
      if (field == null) {
        continue;
      }
      Object raw = e.getValue();
      Object value = switch (field.kind()) {
        case STRING_MAP -> keyValues(e.getKey(), asList(raw),
            e.getKey().equals("--eviction-hard") || e.getKey().equals("--eviction-soft") ? '<' : '=', errors);
        case BOOL_MAP -> {
          Map<String, Object> gates = new LinkedHashMap<>();
          keyValues(e.getKey(), asList(raw), '=', errors).forEach((k, v) -> gates.put(k, v));
          yield gates;
        }
        case STRING_LIST_MAP -> {
          Map<String, Object> headers = new LinkedHashMap<>();
          for (String item : asList(raw)) {
            int colon = item.indexOf(':');
            if (colon <= 0) {
              errors.add(e.getKey() + ": \"" + item + "\" is not a header:value pair");
              continue;
            }
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) headers.computeIfAbsent(item.substring(0, colon).trim(),
                k -> new ArrayList<String>());
            values.add(item.substring(colon + 1));
          }
          yield headers;
        }
        case OBJECT_LIST -> e.getKey().equals("--register-with-taints")
            ? taints(asList(raw), errors) : vmodule(asList(raw), errors);
        default -> raw;
      };
      out.put(field.path(), value);
    }
    return out;
  }

  /** The flag names (longest form) that were given, with their raw values, in declaration order. */
  public Map<String, Object> given() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (Field f : KubeletFlags.class.getDeclaredFields()) {
      Option option = f.getAnnotation(Option.class);
      if (option == null) {
        continue;
      }
      try {
        Object v = f.get(this);
        if (v != null) {
          m.put(option.names()[0], v);
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return m;
  }

  private static ConfigField byFlag(String flag) {
    for (ConfigField f : ConfigSchema.FIELDS) {
      if (flag.equals(f.flag())) {
        return f;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static List<String> asList(Object raw) {
    return raw instanceof List<?> l ? (List<String>) l : List.of(String.valueOf(raw));
  }

  private static Map<String, String> keyValues(String flag, List<String> items, char sep, List<String> errors) {
    Map<String, String> m = new LinkedHashMap<>();
    if (items == null) {
      return m;
    }
    for (String item : items) {
      if (item.isBlank()) {
        continue;
      }
      int at = item.indexOf(sep);
      if (at <= 0) {
        errors.add(flag + ": \"" + item + "\" is not a key" + sep + "value pair");
        continue;
      }
      m.put(item.substring(0, at).trim(), item.substring(at + 1).trim());
    }
    return m;
  }

  /** {@code key=value:Effect} or {@code key:Effect}, as upstream's --register-with-taints. */
  private static List<Object> taints(List<String> items, List<String> errors) {
    List<Object> out = new ArrayList<>();
    for (String item : items) {
      int colon = item.lastIndexOf(':');
      if (colon <= 0) {
        errors.add("--register-with-taints: \"" + item + "\" is not key=value:Effect");
        continue;
      }
      String kv = item.substring(0, colon);
      Map<String, Object> taint = new LinkedHashMap<>();
      int eq = kv.indexOf('=');
      taint.put("key", eq < 0 ? kv : kv.substring(0, eq));
      if (eq >= 0) {
        taint.put("value", kv.substring(eq + 1));
      }
      taint.put("effect", item.substring(colon + 1));
      out.add(taint);
    }
    return out;
  }

  /** {@code pattern=N,...} as klog's --vmodule. */
  private static List<Object> vmodule(List<String> items, List<String> errors) {
    List<Object> out = new ArrayList<>();
    for (String item : items) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        errors.add("--vmodule: \"" + item + "\" is not pattern=N");
        continue;
      }
      out.add(Map.of("filePattern", item.substring(0, eq), "verbosity", item.substring(eq + 1)));
    }
    return out;
  }
}
