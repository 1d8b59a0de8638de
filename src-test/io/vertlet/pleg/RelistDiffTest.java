package io.vertlet.pleg;

import static io.vertlet.cri.v1.ContainerState.CONTAINER_CREATED;
import static io.vertlet.cri.v1.ContainerState.CONTAINER_EXITED;
import static io.vertlet.cri.v1.ContainerState.CONTAINER_RUNNING;
import static io.vertlet.cri.v1.ContainerState.CONTAINER_UNKNOWN;
import static io.vertlet.cri.v1.PodSandboxState.SANDBOX_NOTREADY;
import static io.vertlet.cri.v1.PodSandboxState.SANDBOX_READY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.cri.v1.Container;
import io.vertlet.cri.v1.ContainerMetadata;
import io.vertlet.cri.v1.ContainerState;
import io.vertlet.cri.v1.PodSandbox;
import io.vertlet.cri.v1.PodSandboxMetadata;
import io.vertlet.cri.v1.PodSandboxState;
import io.vertlet.events.PodRef;
import io.vertlet.pleg.RelistDiff.Change;
import io.vertlet.pleg.RelistDiff.ContainerGone;
import io.vertlet.pleg.RelistDiff.ContainerTransition;
import io.vertlet.pleg.RelistDiff.Quiet;
import io.vertlet.pleg.RelistDiff.SandboxTransition;
import io.vertlet.pleg.RuntimeView.ContainerEntry;
import io.vertlet.pleg.RuntimeView.SandboxEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure half of PLEG: what a relist changes, in which order; and how pods are recognised. */
class RelistDiffTest {

  static final PodRef POD = new PodRef("default", "web", "uid-1");

  static PodSandbox sandbox(String id, PodSandboxState state) {
    return PodSandbox.newBuilder().setId(id).setState(state)
        .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("default").setUid("uid-1"))
        .build();
  }

  static Container container(String id, String name, ContainerState state, long createdAt) {
    return Container.newBuilder().setId(id).setPodSandboxId("s1").setState(state).setCreatedAt(createdAt)
        .setMetadata(ContainerMetadata.newBuilder().setName(name))
        .putLabels(RuntimeView.POD_NAME, "web").putLabels(RuntimeView.POD_NAMESPACE, "default")
        .putLabels(RuntimeView.POD_UID, "uid-1").putLabels(RuntimeView.CONTAINER_NAME, name)
        .build();
  }

  @Test
  void podsAreRecognisedByTheKubeletLabelsElseBySandboxMetadata() {
    Container unlabelled = Container.newBuilder().setId("c2").setPodSandboxId("s1")
        .setMetadata(ContainerMetadata.newBuilder().setName("side")).build();
    RuntimeView view = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY)),
        List.of(container("c1", "app", CONTAINER_RUNNING, 1), unlabelled));
    assertEquals(POD, view.containers().get("c1").pod());
    assertEquals("app", view.containers().get("c1").name());
    assertEquals(POD, view.containers().get("c2").pod());
    assertEquals("side", view.containers().get("c2").name());
    assertEquals(POD, view.sandboxes().get("s1").pod());
  }

  @Test
  void newPodIsReportedSandboxFirstThenContainersOldestFirst() {
    RuntimeView view = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY)), List.of(
        container("c-late", "b", CONTAINER_EXITED, 20), container("c-early", "a", CONTAINER_RUNNING, 10),
        container("c-new", "c", CONTAINER_CREATED, 30)));
    List<Change> changes = RelistDiff.between(Map.of(), Map.of(), view);
    assertEquals(4, changes.size(), changes.toString());
    assertTrue(changes.get(0) instanceof SandboxTransition t && t.before() == null && t.now().state() == SANDBOX_READY);
    assertTrue(changes.get(1) instanceof ContainerTransition t && t.now().id().equals("c-early"));
    assertTrue(changes.get(2) instanceof ContainerTransition t && t.now().id().equals("c-late"));
    assertTrue(changes.get(3) instanceof Quiet q && q.now().id().equals("c-new"));
  }

  @Test
  void unchangedStateIsNoNewsAndUnknownStateKeepsTheLastReport() {
    RuntimeView first = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY)),
        List.of(container("c1", "app", CONTAINER_RUNNING, 1)));
    Map<String, ContainerEntry> reported = new HashMap<>(first.containers());
    Map<String, SandboxEntry> sandboxes = new HashMap<>(first.sandboxes());
    assertEquals(List.of(), RelistDiff.between(reported, sandboxes, first));
    RuntimeView unknown = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY)),
        List.of(container("c1", "app", CONTAINER_UNKNOWN, 1)));
    assertEquals(List.of(), RelistDiff.between(reported, sandboxes, unknown));
  }

  @Test
  void seededStateIsNotReportedAgainButItsDetailsAreFilledIn() {
    Map<String, ContainerEntry> seeded = Map.of("c1", new ContainerEntry("c1", "", null, null, CONTAINER_RUNNING, 0));
    Map<String, SandboxEntry> seededSandboxes = Map.of("s1", new SandboxEntry("s1", null, SANDBOX_READY));
    RuntimeView view = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY)),
        List.of(container("c1", "app", CONTAINER_RUNNING, 1)));
    List<Change> changes = RelistDiff.between(seeded, seededSandboxes, view);
    assertEquals(1, changes.size(), changes.toString());
    assertTrue(changes.get(0) instanceof Quiet q && q.now().pod().equals(POD));
  }

  @Test
  void podGoingAwayReportsContainersGoneBeforeTheSandbox() {
    RuntimeView before = RuntimeView.of(List.of(sandbox("s1", SANDBOX_READY), sandbox("s2", SANDBOX_READY)),
        List.of(container("c1", "app", CONTAINER_EXITED, 1)));
    RuntimeView now = RuntimeView.of(List.of(sandbox("s2", SANDBOX_NOTREADY)), List.of());
    List<Change> changes = RelistDiff.between(before.containers(), before.sandboxes(), now);
    assertEquals(3, changes.size(), changes.toString());
    assertTrue(changes.get(0) instanceof ContainerGone g && g.before().id().equals("c1"));
    assertTrue(changes.get(1) instanceof SandboxTransition t && t.id().equals("s2") && t.now() != null);
    assertTrue(changes.get(2) instanceof SandboxTransition t && t.id().equals("s1") && t.now() == null);
  }
}
