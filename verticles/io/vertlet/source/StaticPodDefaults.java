package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Completes a decoded pod the way the API server's defaulting and the kubelet's static-pod source
 * would: the v1 scheme defaults for the fields a node agent reads, then the static-pod specifics
 * (name suffix, namespace, node name, UID, config annotations, NoExecute toleration for files).
 */
final class StaticPodDefaults {

  static final String CONFIG_SOURCE = "kubernetes.io/config.source";
  static final String CONFIG_HASH = "kubernetes.io/config.hash";
  static final String CONFIG_SEEN = "kubernetes.io/config.seen";

  private StaticPodDefaults() {}

  /**
   * The static pod's UID, as upstream when the manifest has none: a digest of the object and of
   * where it came from (node and file for files, URL for HTTP). Unlike upstream the digest is taken
   * over the manifest as written (canonical JSON: key order, comments and YAML vs JSON do not count)
   * rather than the defaulted object, so a vertlet upgrade that adds a default never renames pods.
   */
  static String uid(Map<String, Object> raw, String source, String origin, String nodeName) {
    String where = source.equals("file") ? "host:" + nodeName + "file:" + origin : "url:" + origin;
    return Canonical.md5Hex(Canonical.json(raw), Canonical.utf8(where));
  }

  /** Upstream's static pod name: the manifest's name, a dash, the lower-cased node name. */
  static String podName(String name, String nodeName) {
    return name + "-" + nodeName.toLowerCase(Locale.ROOT);
  }

  /** Applies everything but {@code config.seen}, which is set when the pod is first announced. */
  static void apply(Pod pod, Map<String, Object> raw, String source, String origin, String nodeName) {
    applySchemeDefaults(pod);
    ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
    pod.setMetadata(meta);
    if (meta.getUid() == null || meta.getUid().isEmpty()) {
      meta.setUid(uid(raw, source, origin, nodeName));
    }
    if (meta.getName() != null && !meta.getName().isEmpty()) {
      meta.setName(podName(meta.getName(), nodeName));
    }
    if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
      meta.setNamespace("default");
    }
    pod.getSpec().setNodeName(nodeName);
    Map<String, String> annotations = meta.getAnnotations() == null
        ? new LinkedHashMap<>() : new LinkedHashMap<>(meta.getAnnotations());
    annotations.put(CONFIG_HASH, meta.getUid());
    annotations.put(CONFIG_SOURCE, source);
    meta.setAnnotations(annotations);
    if (source.equals("file")) {
      // Static pods from files tolerate every NoExecute taint, so node problems never evict them.
      addToleration(pod.getSpec(), new TolerationBuilder().withOperator("Exists").withEffect("NoExecute").build());
    }
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    status.setPhase("Pending");
    pod.setStatus(status);
  }

  private static void addToleration(PodSpec spec, Toleration toleration) {
    List<Toleration> tolerations = spec.getTolerations() == null ? new ArrayList<>() : new ArrayList<>(spec.getTolerations());
    if (!tolerations.contains(toleration)) {
      tolerations.add(toleration);
    }
    spec.setTolerations(tolerations);
  }

  /** The v1 defaults (pkg/apis/core/v1/defaults.go) for the fields vertlet acts on. */
  static void applySchemeDefaults(Pod pod) {
    PodSpec spec = pod.getSpec();
    if (spec == null) {
      spec = new PodSpec();
      pod.setSpec(spec);
    }
    if (isEmpty(spec.getRestartPolicy())) {
      spec.setRestartPolicy("Always");
    }
    if (isEmpty(spec.getDnsPolicy())) {
      spec.setDnsPolicy("ClusterFirst");
    }
    if (spec.getTerminationGracePeriodSeconds() == null) {
      spec.setTerminationGracePeriodSeconds(30L);
    }
    if (isEmpty(spec.getSchedulerName())) {
      spec.setSchedulerName("default-scheduler");
    }
    if (spec.getSecurityContext() == null) {
      spec.setSecurityContext(new PodSecurityContext());
    }
    if (spec.getEnableServiceLinks() == null) {
      spec.setEnableServiceLinks(true);
    }
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    for (Container c : nz(spec.getInitContainers())) {
      defaultContainer(c, hostNetwork);
    }
    for (Container c : nz(spec.getContainers())) {
      defaultContainer(c, hostNetwork);
    }
    for (Volume v : nz(spec.getVolumes())) {
      if (v != null && hasNoSource(v)) {
        v.setEmptyDir(new EmptyDirVolumeSource());
      }
    }
  }

  private static void defaultContainer(Container c, boolean hostNetwork) {
    if (c == null) {
      return;
    }
    if (isEmpty(c.getImagePullPolicy()) && !isEmpty(c.getImage())) {
      c.setImagePullPolicy(defaultPullPolicy(c.getImage()));
    }
    if (isEmpty(c.getTerminationMessagePath())) {
      c.setTerminationMessagePath("/dev/termination-log");
    }
    if (isEmpty(c.getTerminationMessagePolicy())) {
      c.setTerminationMessagePolicy("File");
    }
    for (ContainerPort p : nz(c.getPorts())) {
      if (p == null) {
        continue;
      }
      if (isEmpty(p.getProtocol())) {
        p.setProtocol("TCP");
      }
      if (hostNetwork && (p.getHostPort() == null || p.getHostPort() == 0)) {
        p.setHostPort(p.getContainerPort());
      }
    }
    ResourceRequirements resources = c.getResources();
    if (resources != null && resources.getLimits() != null && !resources.getLimits().isEmpty()) {
      // A limit without a request means request = limit (upstream SetDefaults_Pod).
      Map<String, Quantity> requests = resources.getRequests() == null
          ? new LinkedHashMap<>() : new LinkedHashMap<>(resources.getRequests());
      resources.getLimits().forEach(requests::putIfAbsent);
      resources.setRequests(requests);
    }
    for (EnvVar e : nz(c.getEnv())) {
      if (e != null && e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
          && isEmpty(e.getValueFrom().getFieldRef().getApiVersion())) {
        e.getValueFrom().getFieldRef().setApiVersion("v1");
      }
    }
    defaultProbe(c.getLivenessProbe());
    defaultProbe(c.getReadinessProbe());
    defaultProbe(c.getStartupProbe());
    Lifecycle lifecycle = c.getLifecycle();
    if (lifecycle != null) {
      defaultHandler(lifecycle.getPostStart());
      defaultHandler(lifecycle.getPreStop());
    }
  }

  private static void defaultProbe(Probe p) {
    if (p == null) {
      return;
    }
    if (p.getTimeoutSeconds() == null || p.getTimeoutSeconds() == 0) {
      p.setTimeoutSeconds(1);
    }
    if (p.getPeriodSeconds() == null || p.getPeriodSeconds() == 0) {
      p.setPeriodSeconds(10);
    }
    if (p.getSuccessThreshold() == null || p.getSuccessThreshold() == 0) {
      p.setSuccessThreshold(1);
    }
    if (p.getFailureThreshold() == null || p.getFailureThreshold() == 0) {
      p.setFailureThreshold(3);
    }
    defaultHttpGet(p.getHttpGet());
  }

  private static void defaultHandler(LifecycleHandler h) {
    if (h != null) {
      defaultHttpGet(h.getHttpGet());
    }
  }

  private static void defaultHttpGet(HTTPGetAction a) {
    if (a == null) {
      return;
    }
    if (isEmpty(a.getPath())) {
      a.setPath("/");
    }
    if (isEmpty(a.getScheme())) {
      a.setScheme("HTTP");
    }
  }

  /**
   * Upstream: {@code Always} when the tag is {@code latest} or absent (and no digest), otherwise
   * {@code IfNotPresent}. A colon before the last slash belongs to a registry host, not a tag.
   */
  static String defaultPullPolicy(String image) {
    String ref = image;
    int at = ref.indexOf('@');
    boolean digest = at >= 0;
    if (digest) {
      ref = ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    String tag = colon > slash ? ref.substring(colon + 1) : (digest ? "" : "latest");
    return tag.equals("latest") ? "Always" : "IfNotPresent";
  }

  private static final Set<String> VOLUME_NON_SOURCE_KEYS = Set.of("name");

  private static boolean hasNoSource(Volume v) {
    Map<?, ?> fields = Canonical.MAPPER.convertValue(v, Map.class);
    return VOLUME_NON_SOURCE_KEYS.containsAll(fields.keySet());
  }

  static <T> List<T> nz(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }
}
