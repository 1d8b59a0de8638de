package io.vertlet.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.vertlet.cri.v1.ContainerConfig;
import io.vertlet.cri.v1.KeyValue;
import io.vertlet.cri.v1.NamespaceMode;
import io.vertlet.cri.v1.PodSandboxConfig;
import io.vertlet.events.PodRef;
import io.vertlet.pods.CriRequests.PodContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CriRequestsTest {

  static final PodRef REF = new PodRef("kube-system", "web", "u-1");

  static Pod pod(boolean hostNetwork) {
    return new PodBuilder().withNewMetadata().withName("web").withNamespace("kube-system").withUid("u-1")
        .withLabels(Map.of("app", "web")).endMetadata()
        .withNewSpec().withHostNetwork(hostNetwork).withTerminationGracePeriodSeconds(5L)
        .addNewVolume().withName("scratch").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewVolume().withName("etc").withNewHostPath().withPath("/etc").endHostPath().endVolume()
        .addNewContainer().withName("app").withImage("localhost/busybox:1.35")
        .withCommand("sh", "-c").withArgs("echo $(GREETING) $(POD) $$(HOME) $(UNKNOWN)").withWorkingDir("/tmp")
        .addNewEnv().withName("POD").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("NS").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.namespace")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("UID").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.uid")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef().withFieldPath("spec.nodeName")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("HOST_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.hostIP")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['app']")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("GREETING").withValue("hello $(POD)").endEnv()
        .addNewVolumeMount().withName("scratch").withMountPath("/scratch").endVolumeMount()
        .addNewVolumeMount().withName("etc").withMountPath("/host-etc").withReadOnly(true).endVolumeMount()
        .addNewPort().withContainerPort(8080).withHostPort(18080).endPort()
        .withNewResources().addToRequests("cpu", new Quantity("250m")).addToLimits("cpu", new Quantity("500m"))
        .addToLimits("memory", new Quantity("64Mi")).endResources()
        .withNewSecurityContext().withPrivileged(false).withRunAsUser(1000L).withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false).withNewCapabilities().withAdd("NET_ADMIN").withDrop("ALL")
        .endCapabilities().endSecurityContext()
        .endContainer().endSpec().build();
  }

  static PodContext ctx(boolean hostNetwork) {
    return new PodContext(REF, pod(hostNetwork), "node-a", "10.0.0.4", hostNetwork ? "10.0.0.4" : "10.88.0.7",
        Path.of("/var/lib/vertlet"), Path.of("/var/lib/vertlet/logs/pods"));
  }

  @Test
  void sandboxCarriesMetadataLabelsLogDirectoryAndNamespaces() {
    PodSandboxConfig sb = CriRequests.sandbox(ctx(false), 2);
    assertEquals("web", sb.getMetadata().getName());
    assertEquals("kube-system", sb.getMetadata().getNamespace());
    assertEquals("u-1", sb.getMetadata().getUid());
    assertEquals(2, sb.getMetadata().getAttempt());
    assertEquals("web", sb.getHostname());
    assertEquals("/var/lib/vertlet/logs/pods/kube-system_web_u-1", sb.getLogDirectory());
    assertEquals(Map.of("app", "web", CriRequests.POD_NAME, "web", CriRequests.POD_NAMESPACE, "kube-system",
        CriRequests.POD_UID, "u-1", PodManagerOptions.NODE_LABEL, "node-a"), sb.getLabelsMap());
    assertEquals(NamespaceMode.POD, sb.getLinux().getSecurityContext().getNamespaceOptions().getNetwork());
    assertEquals(18080, sb.getPortMappings(0).getHostPort());
    assertEquals(8080, sb.getPortMappings(0).getContainerPort());
  }

  @Test
  void aHostNetworkSandboxHasNoHostnameAndTheNodesNetwork() {
    PodSandboxConfig sb = CriRequests.sandbox(ctx(true), 0);
    assertEquals("", sb.getHostname(), "runc refuses a hostname without a UTS namespace");
    assertEquals(NamespaceMode.NODE, sb.getLinux().getSecurityContext().getNamespaceOptions().getNetwork());
  }

  @Test
  void containerConfigAsTheKubeletBuildsIt() {
    PodContext ctx = ctx(false);
    ContainerConfig c = CriRequests.container(ctx, ctx.pod().getSpec().getContainers().get(0), 3);
    assertEquals("app", c.getMetadata().getName());
    assertEquals(3, c.getMetadata().getAttempt());
    assertEquals("localhost/busybox:1.35", c.getImage().getImage());
    assertEquals("app/3.log", c.getLogPath());
    assertEquals("/tmp", c.getWorkingDir());
    assertEquals("app", c.getLabelsMap().get(CriRequests.CONTAINER_NAME));
    assertEquals("u-1", c.getLabelsMap().get(CriRequests.POD_UID));
    Map<String, String> env = c.getEnvsList().stream().collect(Collectors.toMap(KeyValue::getKey,
        KeyValue::getValue));
    assertEquals("web", env.get("POD"));
    assertEquals("kube-system", env.get("NS"));
    assertEquals("u-1", env.get("UID"));
    assertEquals("node-a", env.get("NODE"));
    assertEquals("10.88.0.7", env.get("POD_IP"));
    assertEquals("10.0.0.4", env.get("HOST_IP"));
    assertEquals("web", env.get("APP"));
    assertEquals("hello web", env.get("GREETING"), "$(VAR) of an earlier variable expands");
    assertEquals("echo hello web web $(HOME) $(UNKNOWN)", c.getArgs(0), "$$ escapes, unknown refs stay");
    assertEquals("sh", c.getCommand(0));

    assertEquals("/scratch", c.getMounts(0).getContainerPath());
    assertEquals("/var/lib/vertlet/pods/u-1/volumes/kubernetes.io~empty-dir/scratch", c.getMounts(0).getHostPath());
    assertEquals("/etc", c.getMounts(1).getHostPath());
    assertTrue(c.getMounts(1).getReadonly());

    var r = c.getLinux().getResources();
    assertEquals(256, r.getCpuShares());
    assertEquals(100_000, r.getCpuPeriod());
    assertEquals(50_000, r.getCpuQuota());
    assertEquals(64L * 1024 * 1024, r.getMemoryLimitInBytes());

    var sc = c.getLinux().getSecurityContext();
    assertEquals(1000, sc.getRunAsUser().getValue());
    assertTrue(sc.getReadonlyRootfs());
    assertFalse(sc.getPrivileged());
    assertTrue(sc.getNoNewPrivs());
    assertEquals("NET_ADMIN", sc.getCapabilities().getAddCapabilities(0));
    assertEquals("ALL", sc.getCapabilities().getDropCapabilities(0));
    assertEquals("5", c.getAnnotationsMap().get("io.kubernetes.pod.terminationGracePeriod"));
  }

  @Test
  void bestEffortGetsTheMinimumShares() {
    var c = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("x").withImage("i").build();
    assertEquals(2, CriRequests.resources(c).getCpuShares());
    assertEquals(0, CriRequests.resources(c).getCpuQuota());
  }

  @Test
  void pullPolicyDefaultsAsTheApiServerSetsThem() {
    assertEquals("Always", PodRuntime.defaultPullPolicy("busybox"));
    assertEquals("Always", PodRuntime.defaultPullPolicy("busybox:latest"));
    assertEquals("IfNotPresent", PodRuntime.defaultPullPolicy("localhost:5000/busybox:1.35"));
    assertEquals("Always", PodRuntime.defaultPullPolicy("localhost:5000/busybox"));
    assertEquals("IfNotPresent", PodRuntime.defaultPullPolicy("busybox@sha256:abc"));
  }
}
