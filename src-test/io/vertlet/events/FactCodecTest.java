package io.vertlet.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

public class FactCodecTest {

  static final PodRef POD = new PodRef("default", "web", "0b7c2f6e-1f9a-4c55-9a0e-2f1c1d3e4a5b");
  static final Instant T = Instant.parse("2026-11-23T10:15:30.123456789Z");
  static final Pod SPEC = new PodBuilder()
      .withNewMetadata().withName("web").withNamespace("default").withLabels(Map.of("app", "web")).endMetadata()
      .withNewSpec().addNewContainer().withName("c").withImage("busybox").withCommand("sleep", "3600")
      .endContainer().withHostNetwork(true).endSpec()
      .build();

  /** One sample of every fact type; the test below fails when a type is added without one. */
  public static Stream<Fact> samples() {
    return Stream.of(
        new AgentFact.AgentStarted("0.1.0", "node-a", "10.0.0.4", "/var/lib/vertlet", "embedded", 42, 7,
            List.of("healthz 127.0.0.1:10248")),
        new AgentFact.AgentStopping("SIGTERM"),
        new JournalFact.JournalRepaired("00000000000000000001.seg", 4096, 17, "x.broken", "torn record"),
        new JournalFact.JournalRetentionApplied(List.of("00000000000000000001.seg"), 67_108_864, 120_000),
        new ConfigFact.ConfigApplied("/etc/kubernetes/kubelet.yaml", List.of("maxPods"), Map.of("maxPods", 110)),
        new ConfigFact.ConfigRejected("f.yaml", List.of("maxPods: -1 must be positive")),
        new ConfigFact.ConfigRequiresRestart("f.yaml", List.of("rootDir")),
        new ConfigFact.ConfigWarned("f.yaml", List.of("unknown field \"fooBar\"")),
        new SourceFact.PodAdded(POD, "file", "/etc/kubernetes/manifests/web.yaml", SPEC),
        new SourceFact.PodUpdated(POD, "file", "/etc/kubernetes/manifests/web.yaml", SPEC),
        new SourceFact.PodRemoved(POD, "file", "manifest removed"),
        new SourceFact.ManifestRejected("file", "/m/bad.yaml", "not a Pod: kind is Service"),
        new PodFact.PodRejected(POD, "OutOfpods", "node has 110 pods"),
        new PodFact.SandboxCreated(POD, "sb1", "10.0.0.5", 0),
        new PodFact.ContainerCreated(POD, "c", "cid1", "busybox", 1),
        new PodFact.ContainerFailedToStart(POD, "c", "ErrImagePull", "no such image"),
        new PodFact.RestartScheduled(POD, "c", 10_000, 2, "CrashLoopBackOff"),
        new PodFact.ContainerKillRequested(POD, "c", "cid1", 30, "pod removed"),
        new PodFact.PodCleanedUp(POD),
        new RuntimeFact.ContainerStarted(POD, "c", "cid1", T),
        new RuntimeFact.ContainerExited(POD, "c", "cid1", 137, "Error", T, T.plusSeconds(3)),
        new RuntimeFact.ContainerRemoved(null, "c", "cid1"),
        new RuntimeFact.SandboxChanged(POD, "sb1", "NOTREADY"),
        new RuntimeFact.RuntimeReachabilityChanged("unix:///run/containerd/containerd.sock", false, "refused"),
        new ProbeFact.ProbeResultChanged(POD, "c", "liveness", "failure", "HTTP 500"),
        new NodeFact.NodeConditionChanged("MemoryPressure", "True", "KubeletHasInsufficientMemory", "low"),
        new NodeFact.NodeRegistered("node-a", "https://10.0.0.1:6443"),
        new NodeFact.LeaseRenewalChanged(false, "timeout"),
        new NodeFact.PodEvicted(POD, "memory.available", "90Mi", "100Mi", "evicted"),
        new NodeFact.ImageRemoved("busybox:1.35", 1_000_000, "disk usage 90% above 85%"),
        new PodFact.SandboxCreationFailed(POD, "CNI failed", 2_000),
        new PodFact.SandboxLost(POD, "sb1", "NOTREADY", true, "SandboxChanged",
            "Pod sandbox changed, it will be killed and re-created."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void everyFactSurvivesARoundTrip(Fact fact) {
    byte[] payload = FactCodec.encode(fact);
    Fact back = FactCodec.decode(fact.type(), FactTypes.version(fact.getClass()), payload);
    // fabric8 model classes implement equals, so records holding them compare by value too.
    assertEquals(fact, back);
  }

  @Test
  void everyFactTypeHasASample() {
    List<String> sampled = samples().map(Fact::type).toList();
    for (String type : FactTypes.all().keySet()) {
      assertTrue(sampled.contains(type), "no round-trip sample for fact type " + type);
    }
  }

  @Test
  void payloadIsPlainJsonNamingTheFields() {
    String json = new String(FactCodec.encode(samples().filter(f -> f instanceof RuntimeFact.ContainerStarted).findFirst().orElseThrow()));
    assertTrue(json.contains("\"containerId\":\"cid1\""), json);
    assertTrue(json.contains("\"startedAt\":\"2026-11-23T10:15:30.123456789Z\""), json);
    assertFalse(json.contains("@class"), json);
  }

  @Test
  void unknownTypesAndNewerSchemasAreRefusedWithAReason() {
    var unknown = assertThrows(FactCodec.UnknownFactException.class,
        () -> FactCodec.decode("FutureFact", 1, "{}".getBytes()));
    assertTrue(unknown.getMessage().contains("FutureFact"));
    var newer = assertThrows(IllegalArgumentException.class,
        () -> FactCodec.decode("AgentStopping", 9, "{}".getBytes()));
    assertTrue(newer.getMessage().contains("schema version 9"));
  }
}
