package io.vertlet.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertlet.cri.v1.Container;
import io.vertlet.cri.v1.ContainerMetadata;
import io.vertlet.cri.v1.ContainerState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerGcTest {

  static Container c(String id, String name, ContainerState state, long createdAt) {
    return Container.newBuilder().setId(id).setMetadata(ContainerMetadata.newBuilder().setName(name))
        .setState(state).setCreatedAt(createdAt).build();
  }

  @Test
  void keepsTheNewestDeadInstancePerContainerAndNeverARunningOne() {
    List<Container> all = List.of(
        c("a1", "app", ContainerState.CONTAINER_EXITED, 1),
        c("a2", "app", ContainerState.CONTAINER_EXITED, 2),
        c("a3", "app", ContainerState.CONTAINER_EXITED, 3),
        c("a4", "app", ContainerState.CONTAINER_RUNNING, 4),
        c("s1", "side", ContainerState.CONTAINER_EXITED, 1));
    assertEquals(Set.of("a1", "a2"), Set.copyOf(ContainerGc.toRemove(all, Set.of("a4"))));
  }

  @Test
  void theInstanceTheJournalNamesIsKeptOverANewerStray() {
    List<Container> all = List.of(
        c("a1", "app", ContainerState.CONTAINER_EXITED, 1),
        c("a2", "app", ContainerState.CONTAINER_CREATED, 2));
    assertEquals(List.of("a2"), ContainerGc.toRemove(all, Set.of("a1")));
  }
}
