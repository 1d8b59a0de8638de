package io.vertlet.projection;

import io.vertlet.events.GoDuration;
import io.vertlet.events.AgentFact.AgentStarted;
import io.vertlet.events.AgentFact.AgentStopping;
import io.vertlet.events.Committed;
import io.vertlet.events.ConfigFact.ConfigApplied;
import io.vertlet.events.ConfigFact.ConfigRejected;
import io.vertlet.events.ConfigFact.ConfigRequiresRestart;
import io.vertlet.events.ConfigFact.ConfigWarned;
import io.vertlet.events.Fact;
import io.vertlet.events.JournalFact;
import io.vertlet.events.NodeFact;
import io.vertlet.events.NodeFact.LeaseRenewalChanged;
import io.vertlet.events.NodeFact.NodeConditionChanged;
import io.vertlet.events.NodeFact.PodEvicted;
import io.vertlet.events.PodFact;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.PodCleanedUp;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodRef;
import io.vertlet.events.ProbeFact.ProbeResultChanged;
import io.vertlet.events.RuntimeFact;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.RuntimeFact.RuntimeReachabilityChanged;
import io.vertlet.events.RuntimeFact.SandboxChanged;
import io.vertlet.events.SourceFact;
import io.vertlet.events.SourceFact.ManifestRejected;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.events.SourceFact.PodUpdated;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The node as the journal says it is: the one projection every reader (HTTP, metrics, replay) uses.
 * Immutable; {@link #apply} is a pure fold, so replaying the same facts always gives the same state
 * and a snapshot plus the facts after it gives the same state as all facts from the start.
 */
public record NodeState(
    long seq,
    Instant at,
    AgentView agent,
    ConfigView config,
    Map<String, PodView> pods,
    Map<String, Condition> conditions,
    Map<String, String> rejectedManifests,
    RuntimeView runtime,
    LeaseView lease,
    int journalRepairs) {

  /** How many rejected manifests the state remembers; older ones are still in the journal. */
  static final int REJECTED_MANIFESTS_KEPT = 256;

  public static final NodeState EMPTY = new NodeState(0, null, AgentView.NONE, ConfigView.NONE, Map.of(), Map.of(),
      Map.of(), RuntimeView.UNKNOWN, LeaseView.UNKNOWN, 0);

  public NodeState {
    pods = Collections.unmodifiableMap(new LinkedHashMap<>(pods));
    conditions = Collections.unmodifiableMap(new LinkedHashMap<>(conditions));
    rejectedManifests = Collections.unmodifiableMap(new LinkedHashMap<>(rejectedManifests));
  }

  /** The agent's own history: who it is and how often it started. */
  public record AgentView(String version, String nodeName, String nodeIp, String rootDir, String runtimeEndpoint,
      long pid, Instant startedAt, int starts, boolean stoppedCleanly, List<String> listening) {
    static final AgentView NONE = new AgentView(null, null, null, null, null, 0, null, 0, false, List.of());
  }

  /** The configuration in force and the last attempt to change it. */
  public record ConfigView(String source, Instant appliedAt, Map<String, Object> effective, List<String> lastChanged,
      List<String> lastErrors, Instant lastRejectedAt, boolean error, List<String> pendingRestart,
      List<String> warnings) {
    static final ConfigView NONE = new ConfigView(null, null, Map.of(), List.of(), List.of(), null, false, List.of(),
        List.of());
  }

  /** A node condition (Ready, MemoryPressure, …) and when it last changed. */
  public record Condition(String status, String reason, String message, Instant since) {}

  /** Whether the container runtime answered at the last transition. */
  public record RuntimeView(String endpoint, Boolean reachable, String message, Instant since) {
    static final RuntimeView UNKNOWN = new RuntimeView(null, null, null, null);
  }

  /** Whether lease renewal is healthy since the last transition. */
  public record LeaseView(Boolean healthy, String message, Instant since) {
    static final LeaseView UNKNOWN = new LeaseView(null, null, null);
  }

  /** The state after one more committed fact. Facts already folded (seq ≤ this.seq) change nothing. */
  public NodeState apply(Committed c) {
    if (c.seq() <= seq) {
      return this;
    }
    NodeState next = fold(c.fact(), c.at());
    return new NodeState(c.seq(), c.at(), next.agent, next.config, next.pods, next.conditions, next.rejectedManifests,
        next.runtime, next.lease, next.journalRepairs);
  }

  /** The pod with the given uid, or null. */
  public PodView pod(String uid) {
    return pods.get(uid);
  }

  private NodeState fold(Fact fact, Instant at) {
    return switch (fact) {
      case AgentStarted s -> withAgent(new AgentView(s.version(), s.nodeName(), s.nodeIp(), s.rootDir(),
          s.runtimeEndpoint(), s.pid(), at, agent.starts() + 1, false, s.listening()));
      case AgentStopping s -> withAgent(new AgentView(agent.version(), agent.nodeName(), agent.nodeIp(),
          agent.rootDir(), agent.runtimeEndpoint(), agent.pid(), agent.startedAt(), agent.starts(), true,
          agent.listening()));
      case JournalFact.JournalRepaired r -> new NodeState(seq, this.at, agent, config, pods, conditions,
          rejectedManifests, runtime, lease, journalRepairs + 1);
      case JournalFact.JournalRetentionApplied r -> this; // housekeeping: changes no view of the node
      case ConfigApplied a -> withConfig(new ConfigView(a.source(), at, a.config(), a.changedFields(),
          config.lastErrors(), config.lastRejectedAt(), false, List.of(), config.warnings()));
      case ConfigRejected r -> withConfig(new ConfigView(config.source(), config.appliedAt(), config.effective(),
          config.lastChanged(), r.errors(), at, true, config.pendingRestart(), config.warnings()));
      case ConfigRequiresRestart r -> withConfig(new ConfigView(config.source(), config.appliedAt(),
          config.effective(), config.lastChanged(), config.lastErrors(), config.lastRejectedAt(), config.error(),
          r.fields(), config.warnings()));
      case ConfigWarned w -> withConfig(new ConfigView(config.source(), config.appliedAt(), config.effective(),
          config.lastChanged(), config.lastErrors(), config.lastRejectedAt(), config.error(),
          config.pendingRestart(), w.warnings()));
      case SourceFact s -> foldSource(s, at);
      case PodFact p -> foldPod(p, at);
      case RuntimeFact r -> foldRuntime(r, at);
      case ProbeResultChanged p -> withPod(p.pod(), pod -> pod.withContainer(p.container(),
          c -> c.probed(p.probe(), "success".equals(p.result()))));
      case NodeFact n -> foldNode(n, at);
    };
  }

  private NodeState foldSource(SourceFact fact, Instant at) {
    return switch (fact) {
      case PodAdded a -> {
        Map<String, PodView> next = new LinkedHashMap<>(pods);
        next.put(a.pod().uid(), PodView.added(a.pod(), a.source(), a.origin(), a.spec(), at));
        yield withPods(next);
      }
      case PodUpdated u -> withPod(u.pod(), pod -> pod.withSpec(u.origin(), u.spec()));
      case PodRemoved r -> {
        PodView pod = pods.get(r.pod().uid());
        if (pod == null) {
          yield this;
        }
        // Nothing ever ran for it: there is nothing to clean up, so it is gone at once.
        if (pod.sandboxId() == null && pod.containers().values().stream().allMatch(c -> c.containerId() == null)) {
          Map<String, PodView> next = new LinkedHashMap<>(pods);
          next.remove(r.pod().uid());
          yield withPods(next);
        }
        yield withPod(r.pod(), p -> p.removed(at));
      }
      case ManifestRejected m -> {
        Map<String, String> next = new LinkedHashMap<>(rejectedManifests);
        next.remove(m.origin());
        next.put(m.origin(), m.reason());
        while (next.size() > REJECTED_MANIFESTS_KEPT) {
          next.remove(next.keySet().iterator().next());
        }
        yield new NodeState(seq, this.at, agent, config, pods, conditions, next, runtime, lease, journalRepairs);
      }
    };
  }

  private NodeState foldPod(PodFact fact, Instant at) {
    return switch (fact) {
      case PodRejected r -> withPod(r.pod(), p -> p.failed(r.reason(), r.message()));
      case SandboxCreated s -> withPod(s.pod(), p -> p.withSandbox(s.sandboxId(), s.podIp(), at, s.attempt()));
      case ContainerCreated c -> withPod(c.pod(), p -> p.withContainer(c.container(),
          v -> v.created(c.containerId(), c.image(), c.attempt())));
      case ContainerFailedToStart f -> withPod(f.pod(), p -> p.withContainer(f.container(),
          v -> v.waiting(f.reason(), f.message())));
      case RestartScheduled r -> withPod(r.pod(), p -> p.withContainer(r.container(),
          v -> v.backingOff(r.reason(), backoffMessage(r), at.plusMillis(r.delayMillis()), r.delayMillis(),
              r.restartCount())));
      case PodFact.ContainerKillRequested k -> this;
      case PodFact.SandboxCreationFailed f -> this; // the containers stay ContainerCreating, as upstream
      case PodFact.SandboxLost l -> withPod(l.pod(), p -> l.sandboxId().equals(p.sandboxId()) ? p.sandboxLost(l.recreate())
          : p);
      case PodCleanedUp c -> {
        Map<String, PodView> next = new LinkedHashMap<>(pods);
        next.remove(c.pod().uid());
        yield withPods(next);
      }
    };
  }

  private static String backoffMessage(RestartScheduled r) {
    if (r.delayMillis() == 0) {
      return null;
    }
    return "back-off " + GoDuration.format(Duration.ofMillis(r.delayMillis())) + " restarting failed container="
        + r.container() + " pod=" + r.pod().name() + "_" + r.pod().namespace() + "(" + r.pod().uid() + ")";
  }

  private NodeState foldRuntime(RuntimeFact fact, Instant at) {
    return switch (fact) {
      // Both the pod worker (right after StartContainer succeeded, so /pods is not a relist behind) and
      // PLEG may report the same start: the second report of a running instance changes nothing.
      case ContainerStarted s -> withPod(s.pod(), p -> p.withContainer(s.container(),
          v -> v.state() == ContainerView.State.RUNNING && s.containerId().equals(v.containerId()) ? v
              : v.running(s.containerId(), s.startedAt() != null ? s.startedAt() : at)));
      // An exit of an instance other than the current one (a late report after a restart) is history,
      // not the container's state; a repeated report of the current exit changes nothing.
      case ContainerExited e -> withPod(e.pod(), p -> p.withContainer(e.container(),
          v -> (v.containerId() != null && !v.containerId().equals(e.containerId()))
              || (v.state() == ContainerView.State.TERMINATED && e.containerId().equals(v.containerId())) ? v
              : v.exited(new ContainerView.Termination(e.containerId(), e.exitCode(), e.reason(), e.startedAt(),
              e.finishedAt() != null ? e.finishedAt() : at))));
      // A removed container keeps its last status, as the kubelet's does: the API still shows why it ended.
      // Only a current instance that never ran (created, its start interrupted or its sandbox gone) is simply
      // no more: the container waits, and is no longer an instance a stop must end.
      case RuntimeFact.ContainerRemoved r -> withPod(r.pod(), p -> p.withContainer(r.container(),
          v -> r.containerId().equals(v.containerId()) && v.createdNotStarted() ? v.instanceGone() : v));
      // A current sandbox that is no longer ready marks the pod for its worker (which replaces the sandbox and
      // journals SandboxLost); READY again (a runtime that recovered it) clears the mark. One the runtime no
      // longer has at all (removed under the pod, e.g. crictl rmp -f) is dead the same way (NOT_FOUND), unless the
      // pod is going anyway (its own clean-up removed it, or it failed): then the view just forgets it.
      case SandboxChanged s -> switch (s.state()) {
        case "REMOVED" -> withPod(s.pod(), p -> !s.sandboxId().equals(p.sandboxId()) ? p
            : p.terminating() || p.failedReason() != null ? p.withSandbox(null, p.podIp(), at, null)
            : p.sandboxNotReady(PodFact.SandboxLost.NOT_FOUND));
        case "READY" -> withPod(s.pod(), p -> s.sandboxId().equals(p.sandboxId()) && p.sandboxState() != null
            ? p.sandboxNotReady(null) : p);
        default -> withPod(s.pod(), p -> s.sandboxId().equals(p.sandboxId()) && !p.terminating()
            ? p.sandboxNotReady(s.state()) : p);
      };
      case RuntimeReachabilityChanged r -> new NodeState(seq, this.at, agent, config, pods, conditions,
          rejectedManifests, new RuntimeView(r.endpoint(), r.reachable(), r.message(), at), lease, journalRepairs);
    };
  }

  private NodeState foldNode(NodeFact fact, Instant at) {
    return switch (fact) {
      case NodeConditionChanged c -> {
        Map<String, Condition> next = new LinkedHashMap<>(conditions);
        next.put(c.condition(), new Condition(c.status(), c.reason(), c.message(), at));
        yield new NodeState(seq, this.at, agent, config, pods, next, rejectedManifests, runtime, lease,
            journalRepairs);
      }
      case LeaseRenewalChanged l -> new NodeState(seq, this.at, agent, config, pods, conditions, rejectedManifests,
          runtime, new LeaseView(l.healthy(), l.message(), at), journalRepairs);
      case PodEvicted e -> withPod(e.pod(), p -> p.failed("Evicted", e.message()));
      case NodeFact.NodeRegistered r -> this;
      case NodeFact.ImageRemoved r -> this;
    };
  }

  private NodeState withAgent(AgentView a) {
    return new NodeState(seq, at, a, config, pods, conditions, rejectedManifests, runtime, lease, journalRepairs);
  }

  private NodeState withConfig(ConfigView c) {
    return new NodeState(seq, at, agent, c, pods, conditions, rejectedManifests, runtime, lease, journalRepairs);
  }

  private NodeState withPods(Map<String, PodView> p) {
    return new NodeState(seq, at, agent, config, p, conditions, rejectedManifests, runtime, lease, journalRepairs);
  }

  /** Changes one pod; a fact about a pod the state does not know (already cleaned up) changes nothing. */
  private NodeState withPod(PodRef ref, UnaryOperator<PodView> change) {
    if (ref == null || !pods.containsKey(ref.uid())) {
      return this;
    }
    Map<String, PodView> next = new LinkedHashMap<>(pods);
    next.put(ref.uid(), change.apply(pods.get(ref.uid())));
    return withPods(next);
  }
}
