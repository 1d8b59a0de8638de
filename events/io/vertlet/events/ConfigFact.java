package io.vertlet.events;

import java.util.List;
import java.util.Map;

/** The effective KubeletConfiguration and every attempt to change it. */
public sealed interface ConfigFact extends Fact {

  /**
   * A configuration took effect. {@code config} is the effective KubeletConfiguration (defaults
   * applied, flags merged) as a JSON-like map; {@code changedFields} the paths that differ from the
   * previous one (all of them at start).
   */
  record ConfigApplied(String source, List<String> changedFields, Map<String, Object> config)
      implements ConfigFact {}

  /** A change was invalid; the last-known-good configuration stays in force. */
  record ConfigRejected(String source, List<String> errors) implements ConfigFact {}

  /** A valid change touched fields that only take effect after a restart; they were not applied. */
  record ConfigRequiresRestart(String source, List<String> fields) implements ConfigFact {}

  /** Accepted, but worth a human's attention: unknown fields, deprecated flags. */
  record ConfigWarned(String source, List<String> warnings) implements ConfigFact {}
}
