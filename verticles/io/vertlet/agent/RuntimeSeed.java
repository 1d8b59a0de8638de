package io.vertlet.agent;

import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.projection.NodeState;
import java.util.HashMap;
import java.util.Map;

/**
 * What the journal already says about the runtime, in PLEG's terms: after a restart PLEG reports
 * only what changed since, so a container that kept running is not "started" a second time.
 */
final class RuntimeSeed {

  private RuntimeSeed() {}

  static Map<String, ContainerState> containers(NodeState state) {
    Map<String, ContainerState> seed = new HashMap<>();
    state.pods().values().forEach(pod -> pod.containers().values().forEach(c -> {
      if (c.containerId() != null) {
        seed.put(c.containerId(), switch (c.state()) {
          case RUNNING -> ContainerState.CONTAINER_RUNNING;
          case TERMINATED -> ContainerState.CONTAINER_EXITED;
          case WAITING -> ContainerState.CONTAINER_CREATED;
        });
      }
      if (c.lastTerminated() != null && !c.lastTerminated().containerId().equals(c.containerId())) {
        seed.put(c.lastTerminated().containerId(), ContainerState.CONTAINER_EXITED);
      }
    }));
    return seed;
  }

  static Map<String, PodSandboxState> sandboxes(NodeState state) {
    Map<String, PodSandboxState> seed = new HashMap<>();
    state.pods().values().forEach(pod -> {
      if (pod.sandboxId() != null) {
        seed.put(pod.sandboxId(), PodSandboxState.SANDBOX_READY);
      }
    });
    return seed;
  }
}
