package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.PodRef;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodView;
import java.time.Instant;
import java.util.List;

/** Pods and folded views for the pure pod-worker tests. */
final class PodFixtures {

  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final PodRef WEB = new PodRef("default", "web", "uid-web");

  private PodFixtures() {}

  static Pod pod(String restartPolicy, boolean withInit) {
    var spec = new PodBuilder().withNewMetadata().withName(WEB.name()).withNamespace(WEB.namespace())
        .withUid(WEB.uid()).endMetadata().withNewSpec().withRestartPolicy(restartPolicy)
        .addNewContainer().withName("app").withImage("localhost/busybox:1.35").endContainer();
    if (withInit) {
      spec.addNewInitContainer().withName("init1").withImage("localhost/busybox:1.35").endInitContainer();
      spec.addNewInitContainer().withName("init2").withImage("localhost/busybox:1.35").endInitContainer();
    }
    return spec.endSpec().build();
  }

  /** Folds facts at the given instants (one per fact). */
  static NodeState fold(List<Fact> facts, List<Instant> at) {
    NodeState s = NodeState.EMPTY;
    for (int i = 0; i < facts.size(); i++) {
      s = s.apply(new Committed(i + 1, at.get(i), facts.get(i)));
    }
    return s;
  }

  /** Folds facts one second apart from T0. */
  static NodeState fold(List<Fact> facts) {
    return fold(facts, java.util.stream.IntStream.range(0, facts.size()).mapToObj(i -> T0.plusSeconds(i)).toList());
  }

  static PodView web(List<Fact> facts) {
    return fold(facts).pod(WEB.uid());
  }
}
