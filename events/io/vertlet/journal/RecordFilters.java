package io.vertlet.journal;

import io.vertlet.events.PodRef;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Filters for {@link JournalReader#read}: type and time look at the frame only; pod decodes the
 * payload, so combine it after the cheap ones ({@code type(..).and(pod(..))}).
 */
public final class RecordFilters {

  private RecordFilters() {}

  public static Predicate<JournalRecord> all() {
    return r -> true;
  }

  /** Facts of these type names; everything when the collection is null or empty. */
  public static Predicate<JournalRecord> type(Collection<String> types) {
    if (types == null || types.isEmpty()) {
      return all();
    }
    Set<String> wanted = Set.copyOf(types);
    return r -> wanted.contains(r.type());
  }

  /** Facts about the pod {@code namespace/name} (any uid); facts this build cannot decode do not match. */
  public static Predicate<JournalRecord> pod(String namespace, String name) {
    return r -> {
      PodRef ref = podOf(r);
      return ref != null && ref.namespace().equals(namespace) && ref.name().equals(name);
    };
  }

  public static Predicate<JournalRecord> atOrAfter(Instant from) {
    long nanos = JournalRecord.toEpochNanos(from);
    return r -> r.atEpochNanos() >= nanos;
  }

  public static Predicate<JournalRecord> atOrBefore(Instant until) {
    long nanos = JournalRecord.toEpochNanos(until);
    return r -> r.atEpochNanos() <= nanos;
  }

  /** The pod a record is about, or null (node-wide fact, or a type/version this build cannot read). */
  public static PodRef podOf(JournalRecord r) {
    try {
      return r.decodeFact().pod();
    } catch (RuntimeException unknownOrNewer) {
      return null;
    }
  }
}
