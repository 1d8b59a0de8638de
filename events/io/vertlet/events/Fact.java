package io.vertlet.events;

/**
 * A fact: something vertlet observed or decided, in the past tense. Every state change on the node
 * is one of these, appended to the journal and folded into projections.
 *
 * <p>Each area of the agent owns one sealed sub-interface in its own file, with its facts nested in
 * it, so adding a fact touches one file. The wire type name is the record's simple name and must be
 * unique across the hierarchy ({@link FactTypes} checks this at start).
 */
public sealed interface Fact
    permits AgentFact, JournalFact, ConfigFact, SourceFact, PodFact, RuntimeFact, ProbeFact, NodeFact {

  /** Stable name written to the journal; never rename a fact, add a new one instead. */
  default String type() {
    return getClass().getSimpleName();
  }

  /** The pod this fact is about, or null for node-wide facts. */
  default PodRef pod() {
    return null;
  }
}
