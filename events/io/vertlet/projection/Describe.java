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
import io.vertlet.events.JournalFact.JournalRepaired;
import io.vertlet.events.NodeFact.ImageRemoved;
import io.vertlet.events.NodeFact.LeaseRenewalChanged;
import io.vertlet.events.NodeFact.NodeConditionChanged;
import io.vertlet.events.NodeFact.NodeRegistered;
import io.vertlet.events.NodeFact.PodEvicted;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.ContainerFailedToStart;
import io.vertlet.events.PodFact.ContainerKillRequested;
import io.vertlet.events.PodFact.PodCleanedUp;
import io.vertlet.events.PodFact.PodRejected;
import io.vertlet.events.PodFact.RestartScheduled;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.ProbeFact.ProbeResultChanged;
import io.vertlet.events.RuntimeFact.ContainerExited;
import io.vertlet.events.RuntimeFact.ContainerRemoved;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.RuntimeFact.RuntimeReachabilityChanged;
import io.vertlet.events.RuntimeFact.SandboxChanged;
import io.vertlet.events.SourceFact.ManifestRejected;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.events.SourceFact.PodRemoved;
import io.vertlet.events.SourceFact.PodUpdated;
import java.time.Duration;

/** One line a person can read for each fact: the timeline of {@code journal replay --format text}. */
public final class Describe {

  private Describe() {}

  /** {@code seq  instant  Type  sentence}. */
  public static String line(Committed c) {
    return String.format("%8d  %s  %-24s %s", c.seq(), c.at(), c.fact().type(), fact(c.fact()));
  }

  public static String fact(Fact fact) {
    return switch (fact) {
      case AgentStarted s -> "agent " + s.version() + " started as node " + s.nodeName() + " (pid " + s.pid()
          + ", runtime " + s.runtimeEndpoint() + ", recovered to seq " + s.recoveredFromSeq() + ")";
      case AgentStopping s -> "agent stopping: " + s.reason();
      case JournalRepaired r -> "journal segment " + r.segment() + " cut at byte " + r.offset() + " (" + r.bytesCut()
          + " bytes, " + r.reason() + "), damaged copy kept at " + r.brokenCopy();
      case io.vertlet.events.JournalFact.JournalRetentionApplied r -> "journal retention deleted "
          + String.join(", ", r.segments()) + " (" + r.bytesFreed() + " bytes, covered by snapshot at seq "
          + r.snapshotSeq() + ")";
      case ConfigApplied a -> "config from " + a.source() + " applied; changed: " + String.join(", ",
          a.changedFields());
      case ConfigRejected r -> "config from " + r.source() + " rejected, last-known-good kept: " + String.join("; ",
          r.errors());
      case ConfigRequiresRestart r -> "config from " + r.source() + " changes fields that need a restart: "
          + String.join(", ", r.fields());
      case ConfigWarned w -> "config from " + w.source() + ": " + String.join("; ", w.warnings());
      case PodAdded a -> "pod " + a.pod().key() + " added from " + a.source() + " " + a.origin();
      case PodUpdated u -> "pod " + u.pod().key() + " updated from " + u.source() + " " + u.origin();
      case PodRemoved r -> "pod " + r.pod().key() + " removed from " + r.source() + ": " + r.reason();
      case ManifestRejected m -> "manifest " + m.origin() + " rejected: " + m.reason();
      case PodRejected r -> "pod " + r.pod().key() + " rejected (" + r.reason() + "): " + r.message();
      case SandboxCreated s -> "pod " + s.pod().key() + " sandbox " + shortId(s.sandboxId()) + " created, IP "
          + s.podIp();
      case io.vertlet.events.PodFact.SandboxCreationFailed f -> "pod " + f.pod().key()
          + " sandbox could not be created (retry in " + GoDuration.format(Duration.ofMillis(f.retryInMillis()))
          + "): " + f.message();
      case ContainerCreated c -> "pod " + c.pod().key() + " container " + c.container() + " created as "
          + shortId(c.containerId()) + " (attempt " + c.attempt() + ")";
      case ContainerFailedToStart f -> "pod " + f.pod().key() + " container " + f.container() + " failed to start ("
          + f.reason() + "): " + f.message();
      case RestartScheduled r -> "pod " + r.pod().key() + " container " + r.container() + " restarts in "
          + GoDuration.format(Duration.ofMillis(r.delayMillis())) + " (" + r.reason() + ", restart "
          + r.restartCount() + ")";
      case ContainerKillRequested k -> "pod " + k.pod().key() + " container " + k.container() + " "
          + shortId(k.containerId()) + " stopping with " + k.gracePeriodSeconds() + "s grace: " + k.reason();
      case PodCleanedUp c -> "pod " + c.pod().key() + " cleaned up";
      case io.vertlet.events.PodFact.SandboxLost l -> "pod " + l.pod().key() + " sandbox " + shortId(l.sandboxId())
          + " is " + l.sandboxState() + " (" + l.reason() + "): " + l.message();
      case ContainerStarted s -> owner(s.pod()) + "container " + s.container() + " " + shortId(s.containerId())
          + " running";
      case ContainerExited e -> owner(e.pod()) + "container " + e.container() + " " + shortId(e.containerId())
          + " exited with code " + e.exitCode() + " (" + e.reason() + ")";
      case ContainerRemoved r -> owner(r.pod()) + "container " + r.container() + " " + shortId(r.containerId())
          + " removed";
      case SandboxChanged s -> owner(s.pod()) + "sandbox " + shortId(s.sandboxId()) + " is " + s.state();
      case RuntimeReachabilityChanged r -> "runtime " + r.endpoint() + (r.reachable() ? " reachable" :
          " unreachable: " + r.message());
      case ProbeResultChanged p -> "pod " + p.pod().key() + " container " + p.container() + " " + p.probe()
          + " probe now " + p.result() + (p.message() == null ? "" : ": " + p.message());
      case NodeConditionChanged c -> "node condition " + c.condition() + " = " + c.status() + " (" + c.reason() + ")";
      case NodeRegistered r -> "node " + r.nodeName() + " registered with " + r.apiServer();
      case LeaseRenewalChanged l -> l.healthy() ? "lease renewal recovered" : "lease renewal failing: " + l.message();
      case PodEvicted e -> "pod " + e.pod().key() + " evicted: " + e.signal() + " " + e.observed() + " crossed "
          + e.threshold();
      case ImageRemoved i -> "image " + i.image() + " removed (" + i.sizeBytes() + " bytes): " + i.reason();
    };
  }

  private static String owner(io.vertlet.events.PodRef pod) {
    return pod == null ? "" : "pod " + pod.key() + " ";
  }

  /** Container IDs are long hashes; 13 characters tell them apart in practice, as crictl shows them. */
  static String shortId(String id) {
    return id == null ? "-" : id.length() > 13 ? id.substring(0, 13) : id;
  }
}
