package io.vertlet.pods;

import io.vertlet.cri.v1.Container;
import io.vertlet.cri.v1.ContainerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Container garbage collection for one pod: of the instances that are no longer running, keep only
 * the newest per container name (its logs and exit status explain the last restart) and remove the
 * rest. Running instances and the one the pod currently uses are never chosen.
 */
public final class ContainerGc {

  private ContainerGc() {}

  /**
   * The IDs to remove from {@code instances} (one pod's containers as the runtime lists them).
   * {@code inUse}: the instances the journal's view of the pod names; of the dead ones of a name, one
   * of those is kept in preference to a newer stray one.
   */
  public static List<String> toRemove(List<Container> instances, Set<String> inUse) {
    Map<String, List<Container>> deadByName = new HashMap<>();
    for (Container c : instances) {
      if (c.getState() != ContainerState.CONTAINER_RUNNING) {
        deadByName.computeIfAbsent(c.getMetadata().getName(), k -> new ArrayList<>()).add(c);
      }
    }
    List<String> out = new ArrayList<>();
    for (List<Container> dead : deadByName.values()) {
      dead.sort(Comparator.comparing((Container c) -> inUse.contains(c.getId())).reversed()
          .thenComparing(Comparator.comparingLong(Container::getCreatedAt).reversed()));
      for (int i = 1; i < dead.size(); i++) {
        out.add(dead.get(i).getId());
      }
    }
    return out;
  }
}
