package io.vertlet.projection;

import java.util.Map;

/** The reconstructed node state as text: what {@code journal replay} prints after the timeline. */
public final class StateReport {

  private StateReport() {}

  public static String text(NodeState s) {
    StringBuilder out = new StringBuilder();
    out.append("state at seq ").append(s.seq()).append(" (").append(s.at()).append(")\n");
    var a = s.agent();
    out.append("agent: ").append(a.nodeName() == null ? "never started" : "node " + a.nodeName() + ", version "
        + a.version() + ", started " + a.starts() + " time(s), last at " + a.startedAt()
        + (a.stoppedCleanly() ? ", stopped cleanly" : "")).append('\n');
    var c = s.config();
    out.append("config: ").append(c.source() == null ? "none applied" : "from " + c.source() + " applied at "
        + c.appliedAt()).append(c.error() ? ", LAST CHANGE REJECTED: " + String.join("; ", c.lastErrors()) : "")
        .append(c.pendingRestart().isEmpty() ? "" : ", needs restart for: " + String.join(", ", c.pendingRestart()))
        .append('\n');
    if (s.runtime().reachable() != null) {
      out.append("runtime: ").append(s.runtime().endpoint()).append(s.runtime().reachable() ? " reachable"
          : " UNREACHABLE: " + s.runtime().message()).append(" since ").append(s.runtime().since()).append('\n');
    }
    for (Map.Entry<String, NodeState.Condition> e : s.conditions().entrySet()) {
      out.append("condition ").append(e.getKey()).append('=').append(e.getValue().status()).append(" (")
          .append(e.getValue().reason()).append(") since ").append(e.getValue().since()).append('\n');
    }
    out.append("pods: ").append(s.pods().size()).append('\n');
    for (PodView p : s.pods().values()) {
      out.append("  ").append(p.ref().key()).append(" [").append(PodStatusRenderer.phase(p)).append("]")
          .append(p.terminating() ? " terminating" : "").append(" uid ").append(p.ref().uid())
          .append(" from ").append(p.origin()).append('\n');
      for (ContainerView v : p.containers().values()) {
        out.append("    ").append(v.init() ? "init " : "").append(v.name()).append(": ").append(v.state());
        if (v.waitingReason() != null) {
          out.append(" (").append(v.waitingReason()).append(')');
        }
        out.append(", restarts ").append(v.restartCount());
        if (v.lastTerminated() != null) {
          out.append(", last exit ").append(v.lastTerminated().exitCode()).append(' ')
              .append(v.lastTerminated().reason()).append(" at ").append(v.lastTerminated().finishedAt());
        }
        if (v.backoffUntil() != null) {
          out.append(", back-off until ").append(v.backoffUntil());
        }
        out.append('\n');
      }
    }
    if (!s.rejectedManifests().isEmpty()) {
      out.append("rejected manifests: ").append(s.rejectedManifests().size()).append('\n');
      s.rejectedManifests().forEach((file, why) -> out.append("  ").append(file).append(": ").append(why)
          .append('\n'));
    }
    if (s.journalRepairs() > 0) {
      out.append("journal repairs: ").append(s.journalRepairs()).append('\n');
    }
    return out.toString();
  }
}
