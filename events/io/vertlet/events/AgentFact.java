package io.vertlet.events;

import java.util.List;

/** The agent's own life: start and stop, so a replay shows every restart. */
public sealed interface AgentFact extends Fact {

  /** The agent came up; {@code recoveredFromSeq} is the sequence its projections were folded to. */
  record AgentStarted(
      String version, String nodeName, String nodeIp, String rootDir, String runtimeEndpoint, long pid,
      long recoveredFromSeq, List<String> listening) implements AgentFact {}

  /** The agent is shutting down on purpose (signal, CLI); a crash leaves no such record. */
  record AgentStopping(String reason) implements AgentFact {}
}
