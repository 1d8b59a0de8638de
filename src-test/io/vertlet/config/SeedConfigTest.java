package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seeds' files and unit, verbatim, load and validate with only the expected warnings. */
class SeedConfigTest {

  @TempDir Path dir;

  private static ConfigResult assertValid(ConfigResult r) {
    assertTrue(r.errors().isEmpty(), "errors: " + r.errors());
    assertNotNull(r.config());
    return r;
  }

  @Test
  void seed003TemplateWithNodeNameReplacedLoadsWithOneUnknownFieldWarning() throws Exception {
    String yaml = Seeds.text("003-kubelet-config.yaml.template").replace("##NODE_NAME##", "zhangjun-k8s01");
    Path file = Seeds.write(dir, "kubelet-zhangjun-k8s01-config.yaml", yaml);
    ConfigResult r = assertValid(ConfigLoader.load(KubeletFlags.parse("--config=" + file,
        "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
        "--kubeconfig=/etc/kubernetes/kubelet-zhangjun-k8s01.kubeconfig")));
    assertEquals(1, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().get(0).contains("unknown field \"hostnameOverride\""), r.warnings().toString());
    assertTrue(r.warnings().get(0).contains("--hostname-override"), "the warning says what to use instead");
    KubeletConfig c = r.config();
    assertEquals("0.0.0.0", c.address());
    assertEquals(0, c.readOnlyPort());
    assertEquals(Duration.ofSeconds(40), c.fileCheckFrequency());
    assertEquals(Duration.ofMinutes(1), c.nodeStatusReportFrequency());
    assertEquals("systemd", c.cgroupDriver());
    assertEquals("Webhook", c.authorization().mode());
    assertEquals(Duration.ofMinutes(5), c.authorization().webhook().cacheAuthorizedTTL());
    assertEquals("/etc/kubernetes/cert/ca.pem", c.authentication().x509().clientCAFile());
    assertEquals("/etc/kubernetes/cert/kubelet-zhangjun-k8s01.pem", c.tlsCertFile());
    assertEquals(Map.of("memory", "400Mi"), c.kubeReserved());
    assertEquals("300Mi", c.evictionHardThresholds().get("memory.available").toString());
    assertEquals(300L * 1024 * 1024, c.evictionHardThresholds().get("memory.available").quantity().longValue());
    assertEquals(10.0, c.evictionHardThresholds().get("nodefs.available").percentage());
    assertEquals(-1L, c.podPidsLimit());
    assertEquals(Duration.ofHours(4), c.streamingConnectionIdleTimeout());
    assertEquals(Path.of("/etc/kubernetes/kubelet-zhangjun-k8s01.kubeconfig"), c.kubeconfig());
    assertEquals("unix:///run/containerd/containerd.sock", c.containerRuntimeEndpoint());
  }

  @Test
  void seed004KubeadmConfigLoadsWithoutWarnings() throws Exception {
    Path file = Seeds.write(dir, "var/lib/kubelet/config.yaml", Seeds.text("004-config.yaml"));
    ConfigResult r = assertValid(ConfigLoader.load(KubeletFlags.parse("--config", file.toString())));
    assertEquals(List.of(), r.warnings());
    KubeletConfig c = r.config();
    assertEquals("/etc/kubernetes/manifests", c.staticPodPath());
    assertEquals(Duration.ofSeconds(20), c.fileCheckFrequency());
    assertEquals(110, c.maxPods());
    assertEquals(10, c.kubeAPIQPS() + 5);
    assertEquals(Duration.ofSeconds(10), c.nodeStatusUpdateFrequency());
    // Upstream: with only nodeStatusUpdateFrequency set, reports follow it.
    assertEquals(Duration.ofSeconds(10), c.nodeStatusReportFrequency());
    assertEquals("127.0.0.1", c.healthzBindAddress());
    assertEquals(10248, c.healthzPort());
    assertEquals(false, c.authentication().anonymous().enabled());
    assertEquals(Duration.ofMinutes(2), c.authentication().webhook().cacheTTL());
    assertEquals(Quantity.parse("10Mi"), c.containerLogMaxSize());
    assertEquals(Duration.ofMinutes(2), c.runtimeRequestTimeout());
    assertTrue(c.embeddedRuntime(), "no containerRuntimeEndpoint: vertlet's embedded runtime");
    assertEquals(List.of(file), r.sources());
  }

  @Test
  void seed002ClusterDnsFragmentLoadsWithDefaults() throws Exception {
    Path file = Seeds.write(dir, "dns.yaml", Seeds.text("002-cluster-dns.yaml"));
    ConfigResult r = assertValid(ConfigLoader.load(KubeletFlags.parse("--config=" + file)));
    assertEquals(List.of(), r.warnings());
    assertEquals(List.of("10.96.0.10"), r.config().clusterDNS());
    assertEquals(ConfigLoader.defaults().withFieldsFrom(r.config(), List.of("clusterDNS")).values(),
        r.config().values(), "everything but clusterDNS is a default");
  }

  @Test
  void seed000UnitFlagsLoadWithOneWarningPerRemovedFlag() {
    List<String> args = Seeds.execStartArgs(Seeds.text("000-kubelet.service"), Seeds.text("000-kubelet.env"));
    assertTrue(args.contains("--hostname-override=0.0.0.0"), args.toString());
    ConfigResult r = assertValid(ConfigLoader.load(KubeletFlags.parse(args.toArray(String[]::new))));
    List<String> removed = new ArrayList<>();
    for (String flag : List.of("--allow-privileged=true", "--require-kubeconfig=true", "--network-plugin=cni",
        "--cni-conf-dir=/etc/cni/net.d", "--cni-bin-dir=/opt/cni/bin")) {
      long n = r.warnings().stream().filter(w -> w.startsWith("flag " + flag + " ")).count();
      assertEquals(1, n, flag + " in " + r.warnings());
      removed.add(flag);
    }
    assertEquals(removed.size() + 1, r.warnings().size(), r.warnings().toString());
    assertTrue(r.warnings().stream().anyMatch(w -> w.startsWith("--hostname-override=0.0.0.0")), r.warnings().toString());
    KubeletConfig c = r.config();
    assertEquals(ConfigLoader.hostName(), c.nodeName());
    assertEquals(List.of("10.96.0.10"), c.clusterDNS());
    assertEquals("cluster.local", c.clusterDomain());
    assertEquals("/etc/kubernetes/manifests", c.staticPodPath());
    assertEquals("image.service.ob.local:5000/google_containers/pause-amd64:3.0", c.podInfraContainerImage());
    assertEquals(Path.of("/etc/kubernetes/kubelet.conf"), c.kubeconfig());
    assertEquals(Path.of("/var/lib/kubelet"), c.rootDir());
  }
}
