package io.vertlet.pleg;

import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.pleg.RuntimeView.ContainerEntry;
import io.vertlet.pleg.RuntimeView.SandboxEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares the view PLEG has already reported with what a relist saw, and lists the changes in the
 * order their facts go to the journal: sandboxes that became ready, then containers (oldest first)
 * that started or exited, then containers that disappeared, then sandboxes that stopped or vanished.
 * A pod's sandbox is thus reported ready before its containers run, and its containers gone before
 * the sandbox is.
 */
final class RelistDiff {

  private RelistDiff() {}

  sealed interface Change {}

  /** Reported silently: a new CREATED container, or details filled in for a seeded one. */
  record Quiet(ContainerEntry now) implements Change {}

  /** {@code now} is RUNNING or EXITED and {@code before} (null if unseen) was not in that state. */
  record ContainerTransition(ContainerEntry before, ContainerEntry now) implements Change {}

  record ContainerGone(ContainerEntry before) implements Change {}

  /** {@code now} null: the sandbox no longer exists. */
  record SandboxTransition(SandboxEntry before, SandboxEntry now, String id) implements Change {}

  static List<Change> between(Map<String, ContainerEntry> reportedContainers,
      Map<String, SandboxEntry> reportedSandboxes, RuntimeView now) {
    List<Change> ready = new ArrayList<>();
    List<Change> notReady = new ArrayList<>();
    List<Change> sandboxesGone = new ArrayList<>();
    for (SandboxEntry s : now.sandboxes().values()) {
      SandboxEntry before = reportedSandboxes.get(s.id());
      if (before == null || before.state() != s.state()) {
        (s.state() == PodSandboxState.SANDBOX_READY ? ready : notReady).add(new SandboxTransition(before, s, s.id()));
      }
    }
    for (SandboxEntry before : reportedSandboxes.values()) {
      if (!now.sandboxes().containsKey(before.id())) {
        sandboxesGone.add(new SandboxTransition(before, null, before.id()));
      }
    }

    List<Change> changes = new ArrayList<>(ready);
    now.containers().values().stream()
        .sorted(Comparator.comparingLong(ContainerEntry::createdAt).thenComparing(ContainerEntry::id))
        .forEach(c -> {
          ContainerEntry before = reportedContainers.get(c.id());
          ContainerState was = before == null ? null : before.state();
          switch (c.state()) {
            case CONTAINER_RUNNING, CONTAINER_EXITED -> changes.add(was == c.state()
                ? quietIfDetailsDiffer(before, c) : new ContainerTransition(before, c));
            case CONTAINER_CREATED -> changes.add(was == c.state() ? quietIfDetailsDiffer(before, c) : new Quiet(c));
            // A state the runtime cannot tell is no news: keep what was reported until it can.
            default -> { }
          }
        });
    changes.removeIf(Objects::isNull);
    reportedContainers.values().stream()
        .filter(before -> !now.containers().containsKey(before.id()))
        .sorted(Comparator.comparingLong(ContainerEntry::createdAt).thenComparing(ContainerEntry::id))
        .forEach(before -> changes.add(new ContainerGone(before)));
    changes.addAll(notReady);
    changes.addAll(sandboxesGone);
    return changes;
  }

  private static Change quietIfDetailsDiffer(ContainerEntry before, ContainerEntry now) {
    return before.equals(now) ? null : new Quiet(now);
  }
}
