package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.projection.PodView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The node's admission of a new pod, as upstream's GeneralPredicates on the kubelet: at most
 * {@code maxPods} active pods (reason {@code OutOfpods}), and no host port used twice (reason
 * {@code NodePorts}, the predicate's name upstream). Pure: decided from the pods already admitted.
 */
public final class Admission {

  private Admission() {}

  /** Admitted, or rejected with the reason and message journaled in {@code PodRejected}. */
  public record Verdict(boolean admitted, String reason, String message) {
    static final Verdict ADMIT = new Verdict(true, null, null);
  }

  /** A host port a pod binds: protocol, host IP ("" for all addresses) and port. */
  public record HostPort(String protocol, String hostIp, int port) {
    boolean clashesWith(HostPort o) {
      return port == o.port && protocol.equals(o.protocol)
          && (hostIp.isEmpty() || o.hostIp.isEmpty() || "0.0.0.0".equals(hostIp) || "0.0.0.0".equals(o.hostIp)
              || hostIp.equals(o.hostIp));
    }

    @Override
    public String toString() {
      return protocol + "/" + (hostIp.isEmpty() ? "" : hostIp + ":") + port;
    }
  }

  /**
   * Whether {@code candidate} may run beside {@code active} (the admitted pods that are neither
   * finished nor failed).
   */
  public static Verdict admit(Pod candidate, Collection<PodView> active, int maxPods) {
    if (active.size() + 1 > maxPods) {
      return new Verdict(false, "OutOfpods", "Node didn't have enough resource: pods, requested: 1, used: "
          + active.size() + ", capacity: " + maxPods);
    }
    List<HostPort> wanted = hostPorts(candidate);
    if (wanted.isEmpty()) {
      return Verdict.ADMIT;
    }
    for (PodView other : active) {
      for (HostPort theirs : hostPorts(other.spec())) {
        for (HostPort mine : wanted) {
          if (mine.clashesWith(theirs)) {
            return new Verdict(false, "NodePorts", "Predicate NodePorts failed: host port " + mine
                + " is already used by pod " + other.ref().key());
          }
        }
      }
    }
    return Verdict.ADMIT;
  }

  /**
   * The host ports a pod binds: every declared {@code hostPort}, and with {@code hostNetwork} every
   * {@code containerPort} (there the host port is the container port).
   */
  public static List<HostPort> hostPorts(Pod pod) {
    List<HostPort> out = new ArrayList<>();
    if (pod == null || pod.getSpec() == null) {
      return out;
    }
    boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
    all.addAll(pod.getSpec().getContainers());
    for (Container c : all) {
      for (ContainerPort p : c.getPorts()) {
        int port = p.getHostPort() != null && p.getHostPort() > 0 ? p.getHostPort()
            : hostNetwork && p.getContainerPort() != null ? p.getContainerPort() : 0;
        if (port > 0) {
          out.add(new HostPort(p.getProtocol() == null ? "TCP" : p.getProtocol(),
              p.getHostIP() == null ? "" : p.getHostIP(), port));
        }
      }
    }
    return out;
  }
}
