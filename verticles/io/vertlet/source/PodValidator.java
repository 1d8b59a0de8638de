package io.vertlet.source;

import static io.vertlet.source.StaticPodDefaults.nz;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The part of upstream's ValidatePod a node agent depends on, with upstream's message shapes
 * ({@code field: Invalid value: "x": why}) so the reason in a ManifestRejected names field and value.
 */
final class PodValidator {

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern IANA_SVC_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;
  private static final int MAX_REPORTED = 5;

  private final List<String> errors = new ArrayList<>();

  private PodValidator() {}

  /**
   * Every problem found, in upstream's wording; empty when the pod is valid. {@code nameAsWritten}
   * is the manifest's name before the node suffix, which is what the user should see in a message.
   */
  static List<String> validate(Pod pod, String nameAsWritten) {
    PodValidator v = new PodValidator();
    v.pod(pod, nameAsWritten);
    return v.errors;
  }

  /** The errors as one reason line: the first few, then how many more. */
  static String summarize(List<String> errors) {
    if (errors.size() <= MAX_REPORTED) {
      return String.join("; ", errors);
    }
    return String.join("; ", errors.subList(0, MAX_REPORTED)) + "; and " + (errors.size() - MAX_REPORTED) + " more";
  }

  private void pod(Pod pod, String nameAsWritten) {
    ObjectMeta meta = pod.getMetadata();
    String name = meta == null ? null : meta.getName();
    if (nameAsWritten == null || nameAsWritten.isEmpty()) {
      required("metadata.name", "a static pod needs a name");
    } else if (subdomain("metadata.name", nameAsWritten) && name != null && name.length() > 253) {
      invalid("metadata.name", nameAsWritten, "with the node name suffix it is " + name.length()
          + " characters, more than 253");
    }
    String namespace = meta == null ? null : meta.getNamespace();
    if (namespace != null) {
      label("metadata.namespace", namespace);
    }
    if (meta != null) {
      labels(meta.getLabels());
      annotations(meta.getAnnotations());
    }
    spec(pod.getSpec());
  }

  private void spec(PodSpec spec) {
    List<Container> containers = nz(spec.getContainers());
    if (containers.isEmpty()) {
      required("spec.containers", "a pod needs at least one container");
    }
    Set<String> volumes = new HashSet<>();
    List<Volume> volumeList = nz(spec.getVolumes());
    for (int i = 0; i < volumeList.size(); i++) {
      Volume volume = volumeList.get(i);
      String field = "spec.volumes[" + i + "].name";
      if (volume == null || volume.getName() == null || volume.getName().isEmpty()) {
        required(field, "");
      } else if (label(field, volume.getName()) && !volumes.add(volume.getName())) {
        duplicate(field, volume.getName());
      }
    }
    boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
    Set<String> names = new HashSet<>();
    Set<String> hostPorts = new HashSet<>();
    containers("spec.initContainers", nz(spec.getInitContainers()), true, names, volumes, hostPorts, hostNetwork);
    containers("spec.containers", containers, false, names, volumes, hostPorts, hostNetwork);
    oneOf("spec.restartPolicy", spec.getRestartPolicy(), "Always", "OnFailure", "Never");
    oneOf("spec.dnsPolicy", spec.getDnsPolicy(), "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None");
    if (spec.getTerminationGracePeriodSeconds() != null && spec.getTerminationGracePeriodSeconds() < 0) {
      invalid("spec.terminationGracePeriodSeconds", spec.getTerminationGracePeriodSeconds(),
          "must be greater than or equal to 0");
    }
    if (spec.getActiveDeadlineSeconds() != null && spec.getActiveDeadlineSeconds() <= 0) {
      invalid("spec.activeDeadlineSeconds", spec.getActiveDeadlineSeconds(), "must be greater than 0");
    }
  }

  private void containers(String path, List<Container> list, boolean init, Set<String> names, Set<String> volumes,
      Set<String> hostPorts, boolean hostNetwork) {
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      Container c = list.get(i);
      if (c == null) {
        required(at, "a container must not be null");
        continue;
      }
      String name = c.getName();
      if (name == null || name.isEmpty()) {
        required(at + ".name", "");
      } else if (label(at + ".name", name) && !names.add(name)) {
        duplicate(at + ".name", name);
      }
      if (c.getImage() == null || c.getImage().isBlank()) {
        required(at + ".image", "");
      } else if (!c.getImage().strip().equals(c.getImage())) {
        invalid(at + ".image", c.getImage(), "must not have leading or trailing whitespace");
      }
      oneOf(at + ".imagePullPolicy", c.getImagePullPolicy(), "Always", "IfNotPresent", "Never");
      oneOf(at + ".terminationMessagePolicy", c.getTerminationMessagePolicy(), "File", "FallbackToLogsOnError");
      if (c.getRestartPolicy() != null) {
        if (!init) {
          forbidden(at + ".restartPolicy", "may not be set for non-init containers");
        } else {
          oneOf(at + ".restartPolicy", c.getRestartPolicy(), "Always");
        }
      }
      ports(at, nz(c.getPorts()), hostPorts, hostNetwork);
      List<VolumeMount> mounts = nz(c.getVolumeMounts());
      for (int m = 0; m < mounts.size(); m++) {
        VolumeMount mount = mounts.get(m);
        String mat = at + ".volumeMounts[" + m + "]";
        if (mount == null) {
          required(mat, "");
          continue;
        }
        if (mount.getName() == null || mount.getName().isEmpty()) {
          required(mat + ".name", "");
        } else if (!volumes.contains(mount.getName())) {
          errors.add(mat + ".name: Not found: \"" + mount.getName() + "\"");
        }
        if (mount.getMountPath() == null || mount.getMountPath().isEmpty()) {
          required(mat + ".mountPath", "");
        }
      }
      List<EnvVar> env = nz(c.getEnv());
      for (int e = 0; e < env.size(); e++) {
        EnvVar var = env.get(e);
        if (var == null || var.getName() == null || var.getName().isEmpty()) {
          required(at + ".env[" + e + "].name", "");
        } else if (var.getName().contains("=")) {
          invalid(at + ".env[" + e + "].name", var.getName(), "must not contain '='");
        }
      }
    }
  }

  private void ports(String at, List<ContainerPort> ports, Set<String> hostPorts, boolean hostNetwork) {
    Set<String> portNames = new HashSet<>();
    for (int p = 0; p < ports.size(); p++) {
      ContainerPort port = ports.get(p);
      String pat = at + ".ports[" + p + "]";
      if (port == null) {
        required(pat, "");
        continue;
      }
      Integer containerPort = port.getContainerPort();
      if (containerPort == null || containerPort == 0) {
        required(pat + ".containerPort", "");
      } else if (containerPort < 1 || containerPort > 65535) {
        invalid(pat + ".containerPort", containerPort, "must be between 1 and 65535, inclusive");
      }
      Integer hostPort = port.getHostPort();
      if (hostPort != null && hostPort != 0) {
        if (hostPort < 1 || hostPort > 65535) {
          invalid(pat + ".hostPort", hostPort, "must be between 1 and 65535, inclusive");
        } else if (!hostPorts.add(port.getProtocol() + "/" + nullToEmpty(port.getHostIP()) + ":" + hostPort)) {
          duplicate(pat + ".hostPort", port.getProtocol() + "/" + hostPort);
        }
        if (hostNetwork && containerPort != null && !hostPort.equals(containerPort)) {
          invalid(pat + ".containerPort", containerPort, "must match hostPort when hostNetwork is true");
        }
      }
      oneOf(pat + ".protocol", port.getProtocol(), "TCP", "UDP", "SCTP");
      String portName = port.getName();
      if (portName != null && !portName.isEmpty()) {
        if (portName.length() > 15 || !IANA_SVC_NAME.matcher(portName).matches() || !portName.matches(".*[a-z].*")
            || portName.contains("--")) {
          invalid(pat + ".name", portName,
              "must be no more than 15 characters, lower-case letters, digits and '-', with at least one letter");
        } else if (!portNames.add(portName)) {
          duplicate(pat + ".name", portName);
        }
      }
    }
  }

  private void labels(Map<String, String> labels) {
    if (labels == null) {
      return;
    }
    labels.forEach((key, value) -> {
      qualifiedKey("metadata.labels", key);
      if (value != null && (value.length() > 63 || !LABEL_VALUE.matcher(value).matches())) {
        invalid("metadata.labels", value, "a valid label value must be 63 characters or less, begin and end with "
            + "an alphanumeric character, with '-', '_' or '.' between");
      }
    });
  }

  private void annotations(Map<String, String> annotations) {
    if (annotations == null) {
      return;
    }
    long total = 0;
    for (var e : annotations.entrySet()) {
      qualifiedKey("metadata.annotations", e.getKey());
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + (e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length);
    }
    if (total > ANNOTATIONS_MAX_BYTES) {
      errors.add("metadata.annotations: Too long: must have at most " + ANNOTATIONS_MAX_BYTES + " bytes (" + total
          + " bytes)");
    }
  }

  private void qualifiedKey(String field, String key) {
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
        invalid(field, key, "the prefix must be a DNS subdomain");
        return;
      }
    }
    if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
      invalid(field, key, "name part must be 63 characters or less, begin and end with an alphanumeric character, "
          + "with '-', '_' or '.' between");
    }
  }

  private boolean label(String field, String value) {
    if (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches()) {
      invalid(field, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
          + "start and end with an alphanumeric character, and be at most 63 characters");
      return false;
    }
    return true;
  }

  private boolean subdomain(String field, String value) {
    if (value.length() > 253 || !DNS1123_SUBDOMAIN.matcher(value).matches()) {
      invalid(field, value, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
          + "or '.', start and end with an alphanumeric character, and be at most 253 characters");
      return false;
    }
    return true;
  }

  private void oneOf(String field, String value, String... supported) {
    if (value == null) {
      return;
    }
    for (String s : supported) {
      if (s.equals(value)) {
        return;
      }
    }
    StringBuilder list = new StringBuilder();
    for (String s : supported) {
      list.append(list.isEmpty() ? "" : ", ").append('"').append(s).append('"');
    }
    errors.add(field + ": Unsupported value: \"" + value + "\": supported values: " + list);
  }

  private void required(String field, String why) {
    errors.add(field + ": Required value" + (why.isEmpty() ? "" : ": " + why));
  }

  private void duplicate(String field, Object value) {
    errors.add(field + ": Duplicate value: \"" + value + "\"");
  }

  private void forbidden(String field, String why) {
    errors.add(field + ": Forbidden: " + why);
  }

  private void invalid(String field, Object value, String why) {
    String shown = String.valueOf(value);
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "…";
    }
    errors.add(field + ": Invalid value: " + (value instanceof String ? "\"" + shown + "\"" : shown) + ": " + why);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
