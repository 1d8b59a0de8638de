package io.vertlet.events;

/** Probe results, journaled on transitions only; every probe run is a metric. */
public sealed interface ProbeFact extends Fact {

  /** A probe's result changed ({@code probe}: startup, liveness, readiness; {@code result}: success, failure). */
  record ProbeResultChanged(PodRef pod, String container, String probe, String result, String message)
      implements ProbeFact {}
}
