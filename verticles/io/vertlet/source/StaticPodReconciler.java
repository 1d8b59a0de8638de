package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.events.PodRef;
import io.vertlet.events.SourceFact;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what the origins hold now into facts, against what has been announced (journaled) so far.
 * Pure bookkeeping on one thread (the verticle's event loop): {@link #reconcile} plans facts, and
 * {@link Planned#commit()} folds each into the announced state once the journal has it, so a fact
 * the journal did not take is planned again on the next scan instead of being lost.
 *
 * <p>Rules: a new UID is a new pod (a changed manifest replaces its pod: PodRemoved then PodAdded);
 * the same UID with a different spec is PodUpdated (only when the manifest sets metadata.uid); an
 * origin that is rejected or unreachable keeps its last good pods; a pod goes when its origin does.
 * Two origins defining the same namespace/name (two files, or a file and the URL): the one that
 * already owns the name keeps it, else the first in name order; the other is rejected naming both. A rejection is journaled once per
 * distinct (origin, content, reason), not on every scan.
 */
final class StaticPodReconciler {

  /** A pod as announced: enough to remove it later and to tell whether its spec changed. */
  record Announced(PodRef ref, String source, String origin, String digest) {}

  /** A fact to append; {@link #commit()} once the journal has made it durable. */
  record Planned(SourceFact fact, Runnable onCommit) {
    void commit() {
      onCommit.run();
    }
  }

  private final Map<String, Announced> announced = new LinkedHashMap<>();
  /** Last rejection journaled, per source, per origin. */
  private final Map<String, Map<String, String>> rejectedKeys = new HashMap<>();
  private final Set<String> unreachable = new HashSet<>();

  StaticPodReconciler(Map<String, KnownStaticPod> known) {
    known.forEach((uid, k) -> announced.put(uid, new Announced(k.pod(), k.source(), k.origin(),
        k.spec() == null ? null : ManifestParser.specDigest(k.spec()))));
  }

  /** What has been announced from {@code source} and not removed (for tests and diagnostics). */
  Map<String, Announced> announced(String source) {
    Map<String, Announced> result = new LinkedHashMap<>();
    announced.forEach((uid, a) -> {
      if (a.source().equals(source)) {
        result.put(uid, a);
      }
    });
    return result;
  }

  private record Desired(Pod pod, String origin, String digest) {}

  /**
   * @param source "file" or "http"
   * @param outcomes every origin of this source that exists now; announced pods of origins not
   *     listed are removed
   */
  List<Planned> reconcile(String source, List<OriginOutcome> outcomes) {
    Map<String, List<Announced>> byOrigin = new HashMap<>();
    announced(source).values().forEach(a -> byOrigin.computeIfAbsent(a.origin(), o -> new ArrayList<>()).add(a));

    Map<String, String> owner = new HashMap<>(); // namespace/name -> origin holding it
    // Names held by the other source stay theirs: a file and the URL cannot both define a pod.
    announced.values().forEach(a -> {
      if (!a.source().equals(source)) {
        owner.put(a.ref().key(), a.origin());
      }
    });
    Set<String> keptUids = new HashSet<>();
    Map<String, Desired> desired = new LinkedHashMap<>();
    List<Planned> rejections = new ArrayList<>();
    List<OriginOutcome.Parsed> contenders = new ArrayList<>();
    Set<String> claimedOrigins = new HashSet<>();

    // Pass 1: origins that keep names they already own, and origins whose last good pods stay.
    for (OriginOutcome outcome : outcomes) {
      List<Announced> previous = byOrigin.getOrDefault(outcome.origin(), List.of());
      switch (outcome) {
        case OriginOutcome.Parsed parsed -> {
          Set<String> previousKeys = new HashSet<>();
          previous.forEach(a -> previousKeys.add(a.ref().key()));
          if (!parsed.pods().isEmpty() && parsed.pods().stream().allMatch(p -> previousKeys.contains(key(p.pod())))) {
            claim(parsed, owner, desired, claimedOrigins);
          } else {
            contenders.add(parsed);
          }
        }
        case OriginOutcome.Rejected rejected -> {
          keep(previous, owner, keptUids);
          planRejection(source, rejected.origin(), rejected.contentKey(), rejected.reason() + keeping(previous),
              rejections);
        }
        case OriginOutcome.Unreachable down -> {
          keep(previous, owner, keptUids);
          if (!unreachable.contains(down.origin())) {
            String origin = down.origin();
            rejections.add(new Planned(new SourceFact.ManifestRejected(source, origin, down.reason() + keeping(previous)),
                () -> unreachable.add(origin)));
          }
        }
      }
    }
    // Pass 2: new or renamed pods, first come first served in origin (name) order.
    for (OriginOutcome.Parsed parsed : contenders) {
      String conflict = null;
      for (OriginOutcome.ParsedPod parsedPod : parsed.pods()) {
        String holder = owner.get(key(parsedPod.pod()));
        if (holder != null) {
          conflict = "metadata.name: Duplicate value: pod " + key(parsedPod.pod()) + " is already defined by " + holder;
          break;
        }
      }
      if (conflict == null) {
        claim(parsed, owner, desired, claimedOrigins);
      } else {
        List<Announced> previous = byOrigin.getOrDefault(parsed.origin(), List.of());
        keep(previous, owner, keptUids);
        planRejection(source, parsed.origin(), parsed.contentKey() + "|" + conflict, conflict + keeping(previous),
            rejections);
      }
    }
    // An origin that parsed (and was not a duplicate) or vanished has nothing left to reject.
    Set<String> present = new HashSet<>();
    for (OriginOutcome outcome : outcomes) {
      present.add(outcome.origin());
      if (!(outcome instanceof OriginOutcome.Unreachable)) {
        unreachable.remove(outcome.origin());
      }
    }
    Map<String, String> rejectedHere = rejectedKeys.computeIfAbsent(source, s -> new HashMap<>());
    rejectedHere.keySet().removeIf(origin -> !present.contains(origin));
    claimedOrigins.forEach(rejectedHere::remove);

    List<Planned> plan = new ArrayList<>();
    for (Announced a : announced(source).values()) {
      if (!desired.containsKey(a.ref().uid()) && !keptUids.contains(a.ref().uid())) {
        String why = present.contains(a.origin()) ? "manifest " + a.origin() + " changed" : vanished(source, a.origin());
        plan.add(new Planned(new SourceFact.PodRemoved(a.ref(), source, why), () -> announced.remove(a.ref().uid())));
      }
    }
    for (Desired d : desired.values()) {
      String uid = d.pod().getMetadata().getUid();
      Announced before = announced.get(uid);
      if (before != null && (before.digest() == null || before.digest().equals(d.digest()))) {
        continue;
      }
      Pod spec = d.pod(); // sealed when parsed: nobody changes it, so sharing it is safe
      PodRef ref = new PodRef(spec.getMetadata().getNamespace(), spec.getMetadata().getName(), uid);
      Announced after = new Announced(ref, source, d.origin(), d.digest());
      SourceFact fact = before == null
          ? new SourceFact.PodAdded(ref, source, d.origin(), spec)
          : new SourceFact.PodUpdated(ref, source, d.origin(), spec);
      plan.add(new Planned(fact, () -> announced.put(uid, after)));
    }
    plan.addAll(rejections);
    return plan;
  }

  private static String vanished(String source, String origin) {
    return source.equals("file") ? "manifest " + origin + " removed" : "pod no longer served by " + origin;
  }

  private void planRejection(String source, String origin, String key, String reason, List<Planned> into) {
    Map<String, String> rejectedHere = rejectedKeys.computeIfAbsent(source, s -> new HashMap<>());
    if (key.equals(rejectedHere.get(origin))) {
      return;
    }
    into.add(new Planned(new SourceFact.ManifestRejected(source, origin, reason), () -> rejectedHere.put(origin, key)));
  }

  private static String keeping(List<Announced> previous) {
    return previous.isEmpty() ? "" : " (keeping its " + previous.size() + " pod(s) from the last good version)";
  }

  private static void claim(OriginOutcome.Parsed parsed, Map<String, String> owner, Map<String, Desired> desired,
      Set<String> claimedOrigins) {
    claimedOrigins.add(parsed.origin());
    for (OriginOutcome.ParsedPod p : parsed.pods()) {
      owner.put(key(p.pod()), parsed.origin());
      desired.put(p.pod().getMetadata().getUid(), new Desired(p.pod(), parsed.origin(), p.digest()));
    }
  }

  private static void keep(List<Announced> previous, Map<String, String> owner, Set<String> keptUids) {
    for (Announced a : previous) {
      owner.putIfAbsent(a.ref().key(), a.origin());
      keptUids.add(a.ref().uid());
    }
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
