package io.vertlet.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.vertlet.events.Committed;
import io.vertlet.events.PodRef;
import io.vertlet.events.SourceFact.PodAdded;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.PodView;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {

  static Pod withPort(String name, boolean hostNetwork, int containerPort, Integer hostPort, String hostIp) {
    return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
        .withNewSpec().withHostNetwork(hostNetwork).addNewContainer().withName("c").withImage("img")
        .addNewPort().withContainerPort(containerPort).withHostPort(hostPort).withHostIP(hostIp).endPort()
        .endContainer().endSpec().build();
  }

  static List<PodView> active(Pod... pods) {
    NodeState s = NodeState.EMPTY;
    long seq = 1;
    for (Pod p : pods) {
      PodRef ref = new PodRef("default", p.getMetadata().getName(), "uid-" + p.getMetadata().getName());
      s = s.apply(new Committed(seq++, PodFixtures.T0, new PodAdded(ref, "file", "/m", p)));
    }
    return new ArrayList<>(s.pods().values());
  }

  @Test
  void maxPodsRejectsTheExtraPodAsOutOfpods() {
    List<PodView> two = active(PodFixtures.pod("Always", false), withPort("other", false, 80, null, null));
    assertTrue(Admission.admit(PodFixtures.pod("Always", false), two, 3).admitted());
    Admission.Verdict v = Admission.admit(PodFixtures.pod("Always", false), two, 2);
    assertFalse(v.admitted());
    assertEquals("OutOfpods", v.reason());
    assertEquals("Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2", v.message());
  }

  @Test
  void aHostPortUsedTwiceIsRejectedNamingThePortAndThePod() {
    List<PodView> first = active(withPort("first", false, 80, 8080, null));
    Admission.Verdict v = Admission.admit(withPort("second", false, 81, 8080, null), first, 110);
    assertFalse(v.admitted());
    assertEquals("NodePorts", v.reason());
    assertTrue(v.message().contains("TCP/8080") && v.message().contains("default/first"), v.message());
    // Different host port, or a container port without hostPort, is fine.
    assertTrue(Admission.admit(withPort("third", false, 80, 8081, null), first, 110).admitted());
    assertTrue(Admission.admit(withPort("fourth", false, 8080, null, null), first, 110).admitted());
  }

  @Test
  void hostNetworkContainerPortsAreHostPorts() {
    List<PodView> hostNet = active(withPort("hn", true, 9090, null, null));
    assertFalse(Admission.admit(withPort("other", false, 80, 9090, null), hostNet, 110).admitted());
    assertFalse(Admission.admit(withPort("hn2", true, 9090, null, null), hostNet, 110).admitted());
  }

  @Test
  void distinctHostIpsDoNotClashButTheWildcardClashesWithAll() {
    List<PodView> bound = active(withPort("a", false, 80, 8080, "10.0.0.1"));
    assertTrue(Admission.admit(withPort("b", false, 80, 8080, "10.0.0.2"), bound, 110).admitted());
    assertFalse(Admission.admit(withPort("c", false, 80, 8080, "0.0.0.0"), bound, 110).admitted());
    assertFalse(Admission.admit(withPort("d", false, 80, 8080, null), bound, 110).admitted());
  }

  @Test
  void theWebFixtureHasNoPorts() {
    assertTrue(Admission.hostPorts(PodFixtures.pod("Always", false)).isEmpty());
  }
}
