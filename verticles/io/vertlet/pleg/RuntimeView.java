package io.vertlet.pleg;

import io.vertlet.cri.v1.Container;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.PodSandbox;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.events.PodRef;
import java.util.List;
import java.util.Map;

/** What one relist saw, reduced to what PLEG compares and reports. */
record RuntimeView(Map<String, ContainerEntry> containers, Map<String, SandboxEntry> sandboxes) {

  // The labels the kubelet puts on every sandbox and container it creates.
  static final String POD_NAME = "io.kubernetes.pod.name";
  static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  static final String POD_UID = "io.kubernetes.pod.uid";
  static final String CONTAINER_NAME = "io.kubernetes.container.name";

  /** A container as listed. {@code pod} and {@code name} are null when known only from a seed. */
  record ContainerEntry(String id, String sandboxId, PodRef pod, String name, ContainerState state, long createdAt) {}

  /** A sandbox as listed. {@code pod} is null when known only from a seed. */
  record SandboxEntry(String id, PodRef pod, PodSandboxState state) {}

  static RuntimeView of(List<PodSandbox> sandboxes, List<Container> containers) {
    Map<String, SandboxEntry> sandboxById = new java.util.LinkedHashMap<>();
    for (PodSandbox s : sandboxes) {
      PodRef pod = podRef(s.getLabelsMap(), s.getMetadata().getNamespace(), s.getMetadata().getName(),
          s.getMetadata().getUid());
      sandboxById.put(s.getId(), new SandboxEntry(s.getId(), pod, s.getState()));
    }
    Map<String, ContainerEntry> containerById = new java.util.LinkedHashMap<>();
    for (Container c : containers) {
      SandboxEntry sandbox = sandboxById.get(c.getPodSandboxId());
      PodRef fallback = sandbox == null ? null : sandbox.pod();
      PodRef pod = podRef(c.getLabelsMap(), fallback == null ? "" : fallback.namespace(),
          fallback == null ? "" : fallback.name(), fallback == null ? "" : fallback.uid());
      String name = c.getLabelsMap().getOrDefault(CONTAINER_NAME, c.getMetadata().getName());
      containerById.put(c.getId(),
          new ContainerEntry(c.getId(), c.getPodSandboxId(), pod, name, c.getState(), c.getCreatedAt()));
    }
    return new RuntimeView(Map.copyOf(containerById), Map.copyOf(sandboxById));
  }

  /** The pod from the kubelet's labels, else from the given metadata; null if neither names one. */
  private static PodRef podRef(Map<String, String> labels, String namespace, String name, String uid) {
    String n = labels.getOrDefault(POD_NAME, name);
    if (n == null || n.isEmpty()) {
      return null;
    }
    return new PodRef(labels.getOrDefault(POD_NAMESPACE, namespace), n, labels.getOrDefault(POD_UID, uid));
  }
}
