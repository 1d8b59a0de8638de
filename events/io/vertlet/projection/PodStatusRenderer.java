package io.vertlet.projection;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.vertlet.projection.ContainerView.State;
import io.vertlet.projection.ContainerView.Termination;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link PodView} as the v1 Pod the API shows: the spec as it came from its source, and a
 * status derived from the view by upstream's rules (pkg/kubelet/kubelet_pods.go getPhase, the
 * status manager's conditions, and the QoS classes).
 */
public final class PodStatusRenderer {

  private PodStatusRenderer() {}

  /** Every pod of the state, in the order they were added. */
  public static List<Pod> pods(NodeState state) {
    return state.pods().values().stream().map(p -> render(p, state.agent().nodeIp())).toList();
  }

  public static Pod render(PodView view, String hostIp) {
    Pod pod = new PodBuilder(view.spec()).build();
    pod.setStatus(status(view, hostIp));
    return pod;
  }

  public static PodStatus status(PodView view, String hostIp) {
    PodStatusBuilder status = new PodStatusBuilder()
        .withPhase(phase(view))
        .withQosClass(qosClass(view.spec()))
        .withHostIP(hostIp)
        .withStartTime(time(view.startTime()));
    if (hostIp != null) {
      status.withHostIPs(new io.fabric8.kubernetes.api.model.HostIP(hostIp));
    }
    if (view.podIp() != null) {
      status.withPodIP(view.podIp()).withPodIPs(new PodIP(view.podIp()));
    }
    if (view.failedReason() != null) {
      status.withReason(view.failedReason()).withMessage(view.failedMessage());
    }
    status.withConditions(conditions(view));
    status.withInitContainerStatuses(containerStatuses(view, true));
    status.withContainerStatuses(containerStatuses(view, false));
    return status.build();
  }

  /** The pod phase from its containers' states, as upstream's getPhase computes it. */
  public static String phase(PodView view) {
    if (view.failedReason() != null) {
      return "Failed";
    }
    String restartPolicy = view.spec().getSpec() == null || view.spec().getSpec().getRestartPolicy() == null
        ? "Always" : view.spec().getSpec().getRestartPolicy();
    List<ContainerView> init = view.containers().values().stream().filter(ContainerView::init).toList();
    List<ContainerView> regular = view.containers().values().stream().filter(c -> !c.init()).toList();

    for (ContainerView c : init) {
      boolean succeeded = c.state() == State.TERMINATED && c.terminated().exitCode() == 0;
      if (succeeded) {
        continue;
      }
      boolean failed = c.state() == State.TERMINATED
          || (c.state() == State.WAITING && c.lastTerminated() != null && c.lastTerminated().exitCode() != 0);
      if (failed && "Never".equals(restartPolicy)) {
        return "Failed";
      }
      return "Pending";
    }

    int running = 0, waiting = 0, stopped = 0, succeeded = 0;
    for (ContainerView c : regular) {
      switch (c.state()) {
        case RUNNING -> running++;
        case TERMINATED -> {
          stopped++;
          if (c.terminated().exitCode() == 0) {
            succeeded++;
          }
        }
        case WAITING -> {
          if (c.lastTerminated() != null) {
            stopped++; // waiting to restart: it ran before
          } else {
            waiting++;
          }
        }
      }
    }
    if (waiting > 0) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    if (stopped > 0) {
      if ("Always".equals(restartPolicy)) {
        return "Running"; // all exited, all will be restarted
      }
      if (stopped == succeeded) {
        return "Succeeded";
      }
      return "Never".equals(restartPolicy) ? "Failed" : "Running";
    }
    return "Pending";
  }

  /** The QoS class from requests and limits (Guaranteed, Burstable, BestEffort). */
  public static String qosClass(Pod pod) {
    if (pod.getSpec() == null) {
      return "BestEffort";
    }
    List<Container> all = new ArrayList<>(pod.getSpec().getInitContainers());
    all.addAll(pod.getSpec().getContainers());
    boolean any = false;
    boolean guaranteed = true;
    for (Container c : all) {
      ResourceRequirements r = c.getResources();
      Map<String, Quantity> requests = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
      Map<String, Quantity> limits = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
      for (String res : List.of("cpu", "memory")) {
        Quantity req = requests.get(res);
        Quantity lim = limits.get(res);
        if ((req != null && !isZero(req)) || (lim != null && !isZero(lim))) {
          any = true;
        }
        if (lim == null || (req != null && req.getNumericalAmount().compareTo(lim.getNumericalAmount()) != 0)) {
          guaranteed = false;
        }
      }
    }
    if (!any) {
      return "BestEffort";
    }
    return guaranteed ? "Guaranteed" : "Burstable";
  }

  private static boolean isZero(Quantity q) {
    return q.getNumericalAmount().signum() == 0;
  }

  private static List<PodCondition> conditions(PodView view) {
    List<ContainerView> init = view.containers().values().stream().filter(ContainerView::init).toList();
    List<ContainerView> regular = view.containers().values().stream().filter(c -> !c.init()).toList();
    boolean initialized = init.stream().allMatch(c -> c.state() == State.TERMINATED && c.terminated().exitCode() == 0);
    boolean containersReady = !regular.isEmpty() && regular.stream().allMatch(PodStatusRenderer::ready);
    Instant since = view.startTime() != null ? view.startTime() : view.addedAt();
    String phase = phase(view);
    boolean done = "Succeeded".equals(phase) || "Failed".equals(phase);
    List<PodCondition> out = new ArrayList<>();
    // Upstream's (beta since 1.29, on by default): the sandbox is up with its network, so containers can start.
    // False while a dead sandbox is being replaced (and before the first one, and after a pod's end lost it).
    boolean sandboxReady = view.sandboxId() != null && view.sandboxState() == null;
    out.add(condition("PodReadyToStartContainers", sandboxReady, since, null));
    out.add(condition("Initialized", initialized || done, since, initialized ? null : "ContainersNotInitialized"));
    out.add(condition("Ready", containersReady && !done, since, containersReady ? (done ? "PodCompleted" : null)
        : "ContainersNotReady"));
    out.add(condition("ContainersReady", containersReady && !done, since, containersReady ? (done ? "PodCompleted"
        : null) : "ContainersNotReady"));
    out.add(condition("PodScheduled", true, view.addedAt(), null));
    return out;
  }

  private static PodCondition condition(String type, boolean ok, Instant since, String reason) {
    return new PodConditionBuilder().withType(type).withStatus(ok ? "True" : "False")
        .withLastTransitionTime(time(since)).withReason(ok ? null : reason).build();
  }

  /** Running, and ready by its readiness probe (no probe means ready), and started by its startup probe. */
  static boolean ready(ContainerView c) {
    return c.state() == State.RUNNING && !Boolean.FALSE.equals(c.started())
        && (c.ready() == null ? true : c.ready());
  }

  private static List<ContainerStatus> containerStatuses(PodView view, boolean init) {
    List<ContainerStatus> out = new ArrayList<>();
    for (ContainerView c : view.containers().values()) {
      if (c.init() != init) {
        continue;
      }
      ContainerStatusBuilder b = new ContainerStatusBuilder()
          .withName(c.name())
          .withImage(c.image())
          .withImageID("")
          .withContainerID(c.containerId())
          .withRestartCount(c.restartCount())
          .withReady(ready(c))
          .withStarted(c.state() == State.RUNNING && !Boolean.FALSE.equals(c.started()))
          .withState(state(c));
      if (c.lastTerminated() != null && c.state() != State.TERMINATED) {
        b.withLastState(new ContainerStateBuilder().withNewTerminated()
            .withContainerID(c.lastTerminated().containerId())
            .withExitCode(c.lastTerminated().exitCode()).withReason(c.lastTerminated().reason())
            .withStartedAt(time(c.lastTerminated().startedAt()))
            .withFinishedAt(time(c.lastTerminated().finishedAt())).endTerminated().build());
      } else {
        b.withLastState(new ContainerState());
      }
      out.add(b.build());
    }
    return out;
  }

  private static ContainerState state(ContainerView c) {
    return switch (c.state()) {
      case RUNNING -> new ContainerStateBuilder().withNewRunning().withStartedAt(time(c.startedAt())).endRunning()
          .build();
      case WAITING -> new ContainerStateBuilder().withNewWaiting().withReason(c.waitingReason())
          .withMessage(c.waitingMessage()).endWaiting().build();
      case TERMINATED -> {
        Termination t = c.terminated();
        yield new ContainerStateBuilder().withNewTerminated().withContainerID(t.containerId())
            .withExitCode(t.exitCode()).withReason(t.reason()).withStartedAt(time(t.startedAt()))
            .withFinishedAt(time(t.finishedAt())).endTerminated().build();
      }
    };
  }

  /** Kubernetes timestamps are RFC 3339 with second precision. */
  private static String time(Instant t) {
    return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
