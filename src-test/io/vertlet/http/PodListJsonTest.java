package io.vertlet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertlet.events.AgentFact.AgentStarted;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodFact.ContainerCreated;
import io.vertlet.events.PodFact.SandboxCreated;
import io.vertlet.events.PodRef;
import io.vertlet.events.RuntimeFact.ContainerStarted;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodStatusRenderer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cached /pods JSON is exactly what rendering every pod through fabric8 gives, and only changed pods re-render. */
class PodListJsonTest {

  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  private long seq;

  private static Pod pod(PodRef ref) {
    return new PodBuilder().withNewMetadata().withName(ref.name()).withNamespace(ref.namespace()).withUid(ref.uid())
        .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("localhost/busybox:1.35")
        .endContainer().endSpec().build();
  }

  private NodeState apply(NodeState s, Fact f) {
    seq++;
    return s.apply(new Committed(seq, T0.plusSeconds(seq), f));
  }

  /** What PodsHandler answered before the cache: the whole list through fabric8. */
  private static String full(NodeState s) {
    PodList list = new PodListBuilder().withNewMetadata().endMetadata().withItems(PodStatusRenderer.pods(s)).build();
    list.setApiVersion("v1");
    list.setKind("PodList");
    return Serialization.asJson(list);
  }

  @Test
  void sameJsonAsAFullRenderAndOnlyChangedPodsRendered() {
    PodListJson cache = new PodListJson();
    NodeState s = apply(NodeState.EMPTY, new AgentStarted("0.1.0", "n", "10.0.0.4", "/r", "embedded", 1, 0, List.of()));
    assertEquals(full(s), cache.render(s), "no pods");

    PodRef[] refs = new PodRef[5];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = new PodRef("default", "p" + i, "uid-" + i);
      s = apply(s, new PodAdded(refs[i], "file", "/m/p" + i + ".yaml", pod(refs[i])));
    }
    assertEquals(full(s), cache.render(s));
    assertEquals(5, cache.podsRendered());
    assertSame(cache.render(s), cache.render(s), "the same state is answered with the same string");
    assertEquals(5, cache.podsRendered());

    s = apply(s, new SandboxCreated(refs[2], "sb-2", "10.0.0.4", 0));
    s = apply(s, new ContainerCreated(refs[2], "app", "c-2", "localhost/busybox:1.35", 0));
    s = apply(s, new ContainerStarted(refs[2], "app", "c-2", T0.plusSeconds(30)));
    String cheap = cache.renderIfCheap(s);
    assertNotNull(cheap, "one changed pod is cheap enough for the event loop");
    assertEquals(full(s), cheap);
    assertEquals(6, cache.podsRendered(), "only the changed pod was rendered again");

    for (PodRef r : refs) {
      s = apply(s, new SandboxCreated(r, "sb-" + r.name(), "10.0.0.4", 0));
    }
    assertNull(cache.renderIfCheap(s), "five changed pods go to a worker");
    assertEquals(full(s), cache.render(s));
    assertEquals(11, cache.podsRendered());

    // A new host IP changes every pod's status.hostIP: everything is rendered again.
    s = apply(s, new AgentStarted("0.1.0", "n", "10.0.0.9", "/r", "embedded", 2, seq, List.of()));
    assertNull(cache.renderIfCheap(s));
    assertEquals(full(s), cache.render(s));
    assertEquals(16, cache.podsRendered());
  }
}
