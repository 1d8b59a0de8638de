package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.vertlet.cri.v1.Capability;
import io.vertlet.cri.v1.ContainerConfig;
import io.vertlet.cri.v1.ContainerMetadata;
import io.vertlet.cri.v1.ImageSpec;
import io.vertlet.cri.v1.Int64Value;
import io.vertlet.cri.v1.KeyValue;
import io.vertlet.cri.v1.LinuxContainerConfig;
import io.vertlet.cri.v1.LinuxContainerResources;
import io.vertlet.cri.v1.LinuxContainerSecurityContext;
import io.vertlet.cri.v1.LinuxPodSandboxConfig;
import io.vertlet.cri.v1.LinuxSandboxSecurityContext;
import io.vertlet.cri.v1.Mount;
import io.vertlet.cri.v1.NamespaceMode;
import io.vertlet.cri.v1.NamespaceOption;
import io.vertlet.cri.v1.PodSandboxConfig;
import io.vertlet.cri.v1.PodSandboxMetadata;
import io.vertlet.cri.v1.PortMapping;
import io.vertlet.cri.v1.Protocol;
import io.vertlet.events.PodRef;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the CRI requests for a pod the way the kubelet does (kuberuntime_sandbox.go,
 * kuberuntime_container.go): metadata, labels the agent finds its objects back by, log paths,
 * environment with fieldRefs and {@code $(VAR)} expansion, mounts, Linux resources and security
 * context. Pure: everything it needs comes in through {@link PodContext}.
 */
public final class CriRequests {

  public static final String POD_NAME = "io.kubernetes.pod.name";
  public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  public static final String POD_UID = "io.kubernetes.pod.uid";
  public static final String CONTAINER_NAME = "io.kubernetes.container.name";
  static final String RESTART_COUNT = "io.kubernetes.container.restartCount";
  static final String GRACE = "io.kubernetes.pod.terminationGracePeriod";

  static final long CPU_PERIOD = 100_000;
  static final long MIN_SHARES = 2;
  static final long MIN_QUOTA = 1_000;

  private CriRequests() {}

  /**
   * Everything about one pod a request needs. {@code podIp} is null until the sandbox exists.
   * {@code rootDir} holds {@code pods/<uid>/volumes}; {@code podLogsDir} holds {@code <ns>_<name>_<uid>}.
   */
  public record PodContext(PodRef ref, Pod pod, String nodeName, String nodeIp, String podIp, Path rootDir,
      Path podLogsDir) {

    public boolean hostNetwork() {
      return pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    }

    public Path podDir() {
      return rootDir.resolve("pods").resolve(ref.uid());
    }

    public Path emptyDir(String volume) {
      return podDir().resolve("volumes").resolve("kubernetes.io~empty-dir").resolve(volume);
    }

    public Path logDirectory() {
      return podLogsDir.resolve(ref.namespace() + "_" + ref.name() + "_" + ref.uid());
    }

    PodContext withPodIp(String ip) {
      return new PodContext(ref, pod, nodeName, nodeIp, ip, rootDir, podLogsDir);
    }
  }

  /** The labels that identify a pod's sandbox and containers in the runtime. */
  public static Map<String, String> podLabels(PodRef ref) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(POD_NAME, ref.name());
    labels.put(POD_NAMESPACE, ref.namespace());
    labels.put(POD_UID, ref.uid());
    return labels;
  }

  public static PodSandboxConfig sandbox(PodContext ctx, int attempt) {
    Pod pod = ctx.pod();
    var spec = pod.getSpec();
    Map<String, String> labels = new LinkedHashMap<>();
    if (pod.getMetadata().getLabels() != null) {
      labels.putAll(pod.getMetadata().getLabels());
    }
    labels.putAll(podLabels(ctx.ref()));
    labels.put(PodManagerOptions.NODE_LABEL, ctx.nodeName());
    PodSandboxConfig.Builder b = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName(ctx.ref().name()).setNamespace(ctx.ref().namespace())
            .setUid(ctx.ref().uid()).setAttempt(attempt))
        // runc refuses to set a hostname without its own UTS namespace, which hostNetwork pods lack.
        .setHostname(ctx.hostNetwork() ? "" : hostname(pod))
        .setLogDirectory(ctx.logDirectory().toString())
        .putAllLabels(labels);
    if (pod.getMetadata().getAnnotations() != null) {
      b.putAllAnnotations(pod.getMetadata().getAnnotations());
    }
    for (Container c : spec.getContainers()) {
      for (ContainerPort p : c.getPorts()) {
        if (p.getContainerPort() == null) {
          continue;
        }
        PortMapping.Builder m = PortMapping.newBuilder().setProtocol(protocol(p.getProtocol()))
            .setContainerPort(p.getContainerPort());
        if (p.getHostPort() != null) {
          m.setHostPort(p.getHostPort());
        }
        if (p.getHostIP() != null) {
          m.setHostIp(p.getHostIP());
        }
        b.addPortMappings(m);
      }
    }
    LinuxSandboxSecurityContext.Builder sc = LinuxSandboxSecurityContext.newBuilder()
        .setNamespaceOptions(namespaces(pod))
        .setPrivileged(spec.getContainers().stream().anyMatch(CriRequests::privileged)
            || spec.getInitContainers().stream().anyMatch(CriRequests::privileged));
    PodSecurityContext psc = spec.getSecurityContext();
    if (psc != null) {
      if (psc.getRunAsUser() != null) {
        sc.setRunAsUser(Int64Value.newBuilder().setValue(psc.getRunAsUser()));
      }
      if (psc.getRunAsGroup() != null) {
        sc.setRunAsGroup(Int64Value.newBuilder().setValue(psc.getRunAsGroup()));
      }
      if (psc.getSupplementalGroups() != null) {
        sc.addAllSupplementalGroups(psc.getSupplementalGroups());
      }
    }
    b.setLinux(LinuxPodSandboxConfig.newBuilder().setSecurityContext(sc));
    return b.build();
  }

  /** The pod's hostname: spec.hostname or its name, cut to a DNS label's 63 characters. */
  static String hostname(Pod pod) {
    String h = pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
        ? pod.getSpec().getHostname() : pod.getMetadata().getName();
    return h.length() > 63 ? h.substring(0, 63).replaceAll("[-.]+$", "") : h;
  }

  public static ContainerConfig container(PodContext ctx, Container c, int attempt) {
    Map<String, String> env = environment(ctx, c);
    ContainerConfig.Builder b = ContainerConfig.newBuilder()
        .setMetadata(ContainerMetadata.newBuilder().setName(c.getName()).setAttempt(attempt))
        .setImage(ImageSpec.newBuilder().setImage(c.getImage()))
        .addAllCommand(expand(c.getCommand(), env))
        .addAllArgs(expand(c.getArgs(), env))
        .setLogPath(c.getName() + "/" + attempt + ".log")
        .putAllLabels(podLabels(ctx.ref()))
        .putLabels(CONTAINER_NAME, c.getName())
        .putLabels(PodManagerOptions.NODE_LABEL, ctx.nodeName())
        .putAnnotations(RESTART_COUNT, Integer.toString(attempt))
        .putAnnotations(GRACE, Long.toString(gracePeriodSeconds(ctx.pod())))
        .setStdin(Boolean.TRUE.equals(c.getStdin()))
        .setStdinOnce(Boolean.TRUE.equals(c.getStdinOnce()))
        .setTty(Boolean.TRUE.equals(c.getTty()));
    if (c.getWorkingDir() != null) {
      b.setWorkingDir(c.getWorkingDir());
    }
    env.forEach((k, v) -> b.addEnvs(KeyValue.newBuilder().setKey(k).setValue(v)));
    b.addAllMounts(mounts(ctx, c));
    b.setLinux(LinuxContainerConfig.newBuilder().setResources(resources(c))
        .setSecurityContext(securityContext(ctx.pod(), c)));
    return b.build();
  }

  /** {@code terminationGracePeriodSeconds}, 30 when unset, as the API server defaults it. */
  public static long gracePeriodSeconds(Pod pod) {
    Long g = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
    return g == null ? 30 : Math.max(0, g);
  }

  /** The container's environment in declaration order, fieldRefs resolved and $(VAR) expanded. */
  static Map<String, String> environment(PodContext ctx, Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      String value;
      if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
        value = fieldRef(ctx, e.getValueFrom().getFieldRef().getFieldPath());
      } else {
        value = expand(e.getValue() == null ? "" : e.getValue(), env);
      }
      env.put(e.getName(), value == null ? "" : value);
    }
    return env;
  }

  private static final Pattern LABEL_REF = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  static String fieldRef(PodContext ctx, String path) {
    Pod pod = ctx.pod();
    return switch (path) {
      case "metadata.name" -> ctx.ref().name();
      case "metadata.namespace" -> ctx.ref().namespace();
      case "metadata.uid" -> ctx.ref().uid();
      case "spec.nodeName" -> ctx.nodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
      case "status.podIP" -> ctx.podIp();
      case "status.hostIP" -> ctx.nodeIp();
      default -> {
        Matcher m = LABEL_REF.matcher(path);
        if (m.matches()) {
          Map<String, String> src = "labels".equals(m.group(1)) ? pod.getMetadata().getLabels()
              : pod.getMetadata().getAnnotations();
          yield src == null ? "" : src.getOrDefault(m.group(2), "");
        }
        yield "";
      }
    };
  }

  private static List<String> expand(List<String> in, Map<String, String> env) {
    List<String> out = new ArrayList<>(in.size());
    for (String s : in) {
      out.add(expand(s, env));
    }
    return out;
  }

  /** Kubernetes' $(VAR) expansion: known names are replaced, $$ is a literal $, unknown refs stay. */
  static String expand(String s, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch != '$' || i + 1 >= s.length()) {
        out.append(ch);
        continue;
      }
      char next = s.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i++;
      } else if (next == '(') {
        int close = s.indexOf(')', i + 2);
        if (close < 0) {
          out.append(ch);
          continue;
        }
        String name = s.substring(i + 2, close);
        out.append(env.containsKey(name) ? env.get(name) : "$(" + name + ")");
        i = close;
      } else {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /** hostPath and emptyDir volume mounts; other volume kinds need an API server and are left out. */
  static List<Mount> mounts(PodContext ctx, Container c) {
    List<Mount> out = new ArrayList<>();
    for (VolumeMount vm : c.getVolumeMounts()) {
      Volume v = ctx.pod().getSpec().getVolumes().stream().filter(x -> x.getName().equals(vm.getName()))
          .findFirst().orElse(null);
      if (v == null) {
        continue;
      }
      Path host;
      if (v.getHostPath() != null) {
        host = Path.of(v.getHostPath().getPath());
      } else if (v.getEmptyDir() != null) {
        host = ctx.emptyDir(v.getName());
      } else {
        continue;
      }
      if (vm.getSubPath() != null && !vm.getSubPath().isEmpty()) {
        host = host.resolve(vm.getSubPath());
      }
      out.add(Mount.newBuilder().setContainerPath(vm.getMountPath()).setHostPath(host.toString())
          .setReadonly(Boolean.TRUE.equals(vm.getReadOnly())).build());
    }
    return out;
  }

  /**
   * Requests and limits as cgroup settings, as upstream: cpu shares from the cpu request (the limit
   * when only a limit is set; minimum 2), CFS quota from the cpu limit over a 100 ms period, and the
   * memory limit in bytes.
   */
  static LinuxContainerResources resources(Container c) {
    Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null
        ? Map.of() : c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null
        ? Map.of() : c.getResources().getLimits();
    LinuxContainerResources.Builder r = LinuxContainerResources.newBuilder();
    Quantity cpuRequest = requests.getOrDefault("cpu", limits.get("cpu"));
    long shares = cpuRequest == null ? MIN_SHARES : Math.max(MIN_SHARES, milli(cpuRequest) * 1024 / 1000);
    r.setCpuShares(shares);
    Quantity cpuLimit = limits.get("cpu");
    if (cpuLimit != null) {
      r.setCpuPeriod(CPU_PERIOD).setCpuQuota(Math.max(MIN_QUOTA, milli(cpuLimit) * CPU_PERIOD / 1000));
    }
    Quantity memLimit = limits.get("memory");
    if (memLimit != null) {
      r.setMemoryLimitInBytes(Quantity.getAmountInBytes(memLimit).longValue());
    }
    return r.build();
  }

  private static long milli(Quantity q) {
    return Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING)
        .longValue();
  }

  private static boolean privileged(Container c) {
    return c.getSecurityContext() != null && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged());
  }

  static LinuxContainerSecurityContext securityContext(Pod pod, Container c) {
    LinuxContainerSecurityContext.Builder sc = LinuxContainerSecurityContext.newBuilder()
        .setNamespaceOptions(namespaces(pod));
    PodSecurityContext psc = pod.getSpec().getSecurityContext();
    SecurityContext csc = c.getSecurityContext();
    Long runAsUser = csc != null && csc.getRunAsUser() != null ? csc.getRunAsUser()
        : psc != null ? psc.getRunAsUser() : null;
    Long runAsGroup = csc != null && csc.getRunAsGroup() != null ? csc.getRunAsGroup()
        : psc != null ? psc.getRunAsGroup() : null;
    if (runAsUser != null) {
      sc.setRunAsUser(Int64Value.newBuilder().setValue(runAsUser));
    }
    if (runAsGroup != null) {
      sc.setRunAsGroup(Int64Value.newBuilder().setValue(runAsGroup));
    }
    if (psc != null && psc.getSupplementalGroups() != null) {
      sc.addAllSupplementalGroups(psc.getSupplementalGroups());
    }
    if (csc != null) {
      sc.setPrivileged(Boolean.TRUE.equals(csc.getPrivileged()));
      sc.setReadonlyRootfs(Boolean.TRUE.equals(csc.getReadOnlyRootFilesystem()));
      sc.setNoNewPrivs(Boolean.FALSE.equals(csc.getAllowPrivilegeEscalation()));
      Capabilities caps = csc.getCapabilities();
      if (caps != null) {
        sc.setCapabilities(Capability.newBuilder().addAllAddCapabilities(caps.getAdd())
            .addAllDropCapabilities(caps.getDrop()));
      }
    }
    return sc.build();
  }

  /** Network NODE with hostNetwork; pid NODE with hostPID, POD when shared, else CONTAINER; ipc NODE with hostIPC. */
  static NamespaceOption namespaces(Pod pod) {
    var spec = pod.getSpec();
    return NamespaceOption.newBuilder()
        .setNetwork(Boolean.TRUE.equals(spec.getHostNetwork()) ? NamespaceMode.NODE : NamespaceMode.POD)
        .setPid(Boolean.TRUE.equals(spec.getHostPID()) ? NamespaceMode.NODE
            : Boolean.TRUE.equals(spec.getShareProcessNamespace()) ? NamespaceMode.POD : NamespaceMode.CONTAINER)
        .setIpc(Boolean.TRUE.equals(spec.getHostIPC()) ? NamespaceMode.NODE : NamespaceMode.POD)
        .build();
  }

  private static Protocol protocol(String p) {
    return p == null ? Protocol.TCP : switch (p) {
      case "UDP" -> Protocol.UDP;
      case "SCTP" -> Protocol.SCTP;
      default -> Protocol.TCP;
    };
  }
}
