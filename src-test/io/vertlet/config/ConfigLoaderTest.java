package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  static final String HEADER = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

  @TempDir Path dir;

  private Path file(String name, String text) throws Exception {
    return Seeds.write(dir, name, text);
  }

  private static ConfigResult load(String... args) {
    return ConfigLoader.load(KubeletFlags.parse(args));
  }

  @Test
  void jsonConfigLoads() throws Exception {
    Path f = file("kubelet.json", """
        {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration",
         "maxPods": 42, "syncFrequency": "1h30m", "evictionHard": {"memory.available": "5%"},
         "authentication": {"anonymous": {"enabled": true}}, "featureGates": {"NodeSwap": true},
         "containerLogMaxSize": "1Gi", "cpuCFSQuotaPeriod": "500ms"}
        """);
    ConfigResult r = load("--config=" + f);
    assertEquals(List.of(), r.errors());
    KubeletConfig c = r.config();
    assertEquals(42, c.maxPods());
    assertEquals(Duration.ofMinutes(90), c.syncFrequency());
    assertEquals(Map.of("memory.available", "5%"), c.evictionHard(), "a given evictionHard replaces the defaults");
    assertTrue(c.authentication().anonymous().enabled());
    assertEquals(Map.of("NodeSwap", true), c.featureGates());
    assertEquals(1L << 30, c.containerLogMaxSize().longValue());
    assertEquals(Duration.ofMillis(500), c.cpuCFSQuotaPeriod());
    assertEquals("1h30m0s", c.toMap().get("syncFrequency"));
  }

  @Test
  void aDozenWrongFieldsAreAllReportedWithPathAndValue() throws Exception {
    Path f = file("bad.yaml", HEADER + """
        port: 70000
        readOnlyPort: -1
        healthzPort: 99999
        maxPods: -5
        imageGCHighThresholdPercent: 50
        imageGCLowThresholdPercent: 60
        nodeLeaseDurationSeconds: -1
        syncFrequency: 10 seconds
        fileCheckFrequency: -5s
        evictionHard:
          memory.available: abc
          disk.available: 10%
        evictionSoft:
          nodefs.available: 120%
        hairpinMode: sideways
        cgroupDriver: upstart
        address: not-an-ip
        clusterDNS: [10.0.0.10, 10.0.0.999]
        authorization:
          mode: RBAC
        failSwapOn: perhaps
        oomScoreAdj: -2000
        kubeReserved:
          memory: lots
        registerWithTaints:
        - key: dedicated
          effect: Sometimes
        """);
    ConfigResult r = load("--config", f.toString());
    assertNull(r.config());
    List<String> expected = List.of(
        "port: 70000 must be between 1 and 65535",
        "readOnlyPort: -1 must be between 0 (off) and 65535",
        "healthzPort: 99999 must be between 0 (off) and 65535",
        "maxPods: -5 must not be negative",
        "imageGCLowThresholdPercent: 60 must be less than imageGCHighThresholdPercent (50)",
        "nodeLeaseDurationSeconds: -1 must be greater than 0",
        "syncFrequency: \"10 seconds\" is not a duration",
        "fileCheckFrequency: \"-5s\" must be a positive duration",
        "evictionHard[\"memory.available\"]: \"abc\" is neither a quantity nor a percentage",
        "evictionHard[\"disk.available\"]: \"disk.available\" is not an eviction signal",
        "evictionSoft[\"nodefs.available\"]: \"120%\" must be a percentage between 0% and 100%",
        "evictionSoft[\"nodefs.available\"]: \"120%\" has no grace period",
        "hairpinMode: \"sideways\" must be one of",
        "cgroupDriver: \"upstart\" must be one of \"cgroupfs\", \"systemd\"",
        "address: \"not-an-ip\" is not an IP address",
        "clusterDNS[1]: \"10.0.0.999\" is not an IP address",
        "authorization.mode: \"RBAC\" must be one of \"AlwaysAllow\", \"Webhook\"",
        "failSwapOn: \"perhaps\" must be true or false",
        "oomScoreAdj: -2000 must be between -1000 and 1000",
        "kubeReserved[\"memory\"]: \"lots\" is not a quantity",
        "registerWithTaints[0].effect: \"Sometimes\" must be one of NoSchedule");
    for (String e : expected) {
      assertTrue(r.errors().stream().anyMatch(x -> x.startsWith(e)), "missing error <" + e + "> in\n"
          + String.join("\n", r.errors()));
    }
    assertEquals(expected.size(), r.errors().size(), String.join("\n", r.errors()));
  }

  @Test
  void flagsOverrideTheFileAndDefaultsFillTheRest() throws Exception {
    Path f = file("k.yaml", HEADER + """
        maxPods: 50
        fileCheckFrequency: 5s
        clusterDNS: [10.0.0.10]
        failSwapOn: true
        featureGates:
          A: true
          B: true
        evictionHard:
          memory.available: 200Mi
        """);
    ConfigResult r = load("--config=" + f, "--max-pods=30", "--fail-swap-on=false", "--cluster-dns=1.1.1.1,8.8.8.8",
        "--feature-gates=B=false,C=true", "--eviction-hard=memory.available<1Gi,nodefs.available<5%", "--v=4",
        "--node-labels=zone=a,tier=web", "--register-with-taints=dedicated=infra:NoSchedule");
    assertEquals(List.of(), r.errors());
    KubeletConfig c = r.config();
    assertEquals(30, c.maxPods(), "flag wins over the file");
    assertFalse(c.failSwapOn());
    assertEquals(List.of("1.1.1.1", "8.8.8.8"), c.clusterDNS());
    assertEquals(Map.of("A", true, "B", false, "C", true), c.featureGates(), "--feature-gates merges over the file");
    assertEquals(Map.of("memory.available", "1Gi", "nodefs.available", "5%"), c.evictionHard());
    assertEquals(Duration.ofSeconds(5), c.fileCheckFrequency(), "the file wins over defaults");
    assertEquals(Duration.ofSeconds(20), c.httpCheckFrequency(), "defaults fill what nobody set");
    assertEquals(4, c.logging().verbosity());
    assertEquals(Map.of("zone", "a", "tier", "web"), c.nodeLabels());
    assertEquals(List.of(Map.of("key", "dedicated", "value", "infra", "effect", "NoSchedule")),
        c.registerWithTaints());
  }

  @Test
  void configDirDropInsMergeInLexicalOrderThenFlags() throws Exception {
    Path f = file("kubelet.yaml", HEADER + "maxPods: 10\nsyncFrequency: 10s\nclusterDNS: [10.0.0.1]\n"
        + "kubeReserved:\n  cpu: 100m\nauthentication:\n  anonymous:\n    enabled: true\n");
    Path d = dir.resolve("kubelet.conf.d");
    Files.createDirectories(d);
    file("kubelet.conf.d/20-b.conf", HEADER + "maxPods: 20\nclusterDNS: [10.0.0.2]\nkubeReserved:\n  memory: 1Gi\n");
    file("kubelet.conf.d/10-a.conf", HEADER + "maxPods: 15\nsyncFrequency: 15s\nhttpCheckFrequency: 7s\n"
        + "authentication:\n  webhook:\n    enabled: false\n");
    file("kubelet.conf.d/30-c.conf", HEADER + "httpCheckFrequency: 9s\n");
    file("kubelet.conf.d/99-ignored.yaml", HEADER + "maxPods: 99\n");
    ConfigResult r = load("--config=" + f, "--config-dir=" + d, "--http-check-frequency=11s");
    assertEquals(List.of(), r.errors());
    KubeletConfig c = r.config();
    assertEquals(20, c.maxPods(), "20-b.conf comes after 10-a.conf; *.yaml is not a drop-in");
    assertEquals(Duration.ofSeconds(15), c.syncFrequency());
    assertEquals(Duration.ofSeconds(11), c.httpCheckFrequency(), "flags win over drop-ins");
    assertEquals(List.of("10.0.0.2"), c.clusterDNS(), "lists replace");
    assertEquals(Map.of("cpu", "100m", "memory", "1Gi"), c.kubeReserved(), "maps merge");
    assertTrue(c.authentication().anonymous().enabled(), "objects merge field by field");
    assertFalse(c.authentication().webhook().enabled());
    assertEquals(List.of(f, d.resolve("10-a.conf"), d.resolve("20-b.conf"), d.resolve("30-c.conf")), r.sources());
  }

  @Test
  void unknownFieldsWarnAndStrictModeMakesThemErrors() throws Exception {
    Path f = file("k.yaml", HEADER + "maxPods: 12\nfooBar: 1\nauthentication:\n  anonymous:\n    enabled: true\n"
        + "    colour: blue\n");
    ConfigResult lenient = load("--config=" + f);
    assertEquals(List.of(), lenient.errors());
    assertEquals(2, lenient.warnings().size(), lenient.warnings().toString());
    assertTrue(lenient.warnings().get(0).contains("unknown field \"fooBar\""));
    assertTrue(lenient.warnings().get(1).contains("unknown field \"authentication.anonymous.colour\""));
    assertEquals(12, lenient.config().maxPods());

    ConfigResult strict = load("--config=" + f, "--strict-config");
    assertNull(strict.config());
    assertEquals(2, strict.errors().size(), strict.errors().toString());
    assertTrue(strict.errors().get(0).contains("unknown field \"fooBar\""));
  }

  @Test
  void apiVersionAndKindAreChecked() throws Exception {
    Path f = file("k.yaml", "apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmaxPods: 1\n");
    ConfigResult r = load("--config=" + f);
    assertEquals(2, r.errors().size(), r.errors().toString());
    assertTrue(r.errors().get(0).contains("apiVersion: \"kubelet.config.k8s.io/v1alpha1\""));
    assertTrue(r.errors().get(1).contains("kind: \"KubeProxyConfiguration\""));
  }

  @Test
  void missingOrBrokenFilesAreOneClearErrorEach() throws Exception {
    ConfigResult missing = load("--config=" + dir.resolve("nope.yaml"));
    assertEquals(List.of(dir.resolve("nope.yaml") + ": file does not exist"), missing.errors());
    Path broken = file("broken.yaml", HEADER + "maxPods: [1\n");
    ConfigResult r = load("--config=" + broken);
    assertEquals(1, r.errors().size());
    assertTrue(r.errors().get(0).startsWith(broken + ": not valid YAML or JSON"), r.errors().toString());
    ConfigResult noDir = load("--config-dir=" + dir.resolve("none"));
    assertTrue(noDir.errors().get(0).contains("directory does not exist"));
  }

  @Test
  void zeroMeansDefaultWhereUpstreamSaysSo() throws Exception {
    Path f = file("k.yaml", HEADER + "port: 0\nsyncFrequency: 0s\nmaxPods: 0\nhealthzPort: 0\nreadOnlyPort: 0\n"
        + "evictionPressureTransitionPeriod: 0s\neventRecordQPS: 0\n");
    KubeletConfig c = load("--config=" + f).config();
    assertEquals(10250, c.port());
    assertEquals(Duration.ofMinutes(1), c.syncFrequency());
    assertEquals(110, c.maxPods());
    assertEquals(Duration.ofMinutes(5), c.evictionPressureTransitionPeriod());
    assertEquals(0, c.healthzPort(), "healthzPort is a pointer upstream: 0 disables it");
    assertEquals(0, c.eventRecordQPS(), "eventRecordQPS is a pointer upstream: 0 means no limit");
    assertEquals(0, c.readOnlyPort());
  }

  @Test
  void relativePathsInTheFileResolveAgainstItsDirectory() throws Exception {
    Path f = file("etc/kubelet.yaml", HEADER + "staticPodPath: manifests\ntlsCertFile: pki/kubelet.crt\n"
        + "authentication:\n  x509:\n    clientCAFile: ../ca.pem\n");
    KubeletConfig c = load("--config=" + f, "--tls-private-key-file=key.pem").config();
    assertEquals(dir.resolve("etc/manifests").toString(), c.staticPodPath());
    assertEquals(dir.resolve("etc/pki/kubelet.crt").toString(), c.tlsCertFile());
    assertEquals(dir.resolve("ca.pem").toString(), c.authentication().x509().clientCAFile());
    assertEquals("key.pem", c.tlsPrivateKeyFile(), "flag values stay as given");
  }

  @Test
  void flagOnlySettingsArePartOfTheResult() {
    KubeletConfig c = load("--hostname-override=Node-A.Example", "--node-ip=10.1.2.3", "--root-dir=/tmp/vt",
        "--kubeconfig=/k.conf", "--bootstrap-kubeconfig=/b.conf", "--register-node=false").config();
    assertEquals("node-a.example", c.nodeName());
    assertEquals("10.1.2.3", c.nodeIP());
    assertEquals(Path.of("/tmp/vt"), c.rootDir());
    assertEquals(Path.of("/tmp/vt/pki"), c.certDir());
    assertEquals(Path.of("/k.conf"), c.kubeconfig());
    assertEquals(Path.of("/b.conf"), c.bootstrapKubeconfig());
    assertFalse(c.registerNode());
    assertEquals(ConfigLoader.DEFAULT_POD_INFRA_IMAGE, c.podInfraContainerImage());
    assertTrue(c.embeddedRuntime());
    ConfigResult bad = load("--node-ip=10.1.2", "--hostname-override=bad_name");
    assertEquals(2, bad.errors().size(), bad.errors().toString());
  }

  @Test
  void diffNamesChangedFieldPaths() throws Exception {
    KubeletConfig a = load().config();
    KubeletConfig b = load("--max-pods=5", "--anonymous-auth=true").config();
    assertEquals(List.of("authentication.anonymous.enabled", "maxPods"), a.diff(b));
    assertEquals(List.of(), a.diff(a));
  }

  @Test
  void everyFlagNamedInTheIssueLandsInItsField() throws Exception {
    Path f = file("k.yaml", HEADER);
    KubeletConfig c = load("--config=" + f, "--kubeconfig=/etc/k.conf", "--bootstrap-kubeconfig=/etc/b.conf",
        "--pod-manifest-path=/etc/manifests", "--hostname-override=n1", "--node-ip=10.0.0.9",
        "--container-runtime-endpoint=unix:///run/containerd/containerd.sock", "--root-dir=/srv/kubelet",
        "--cert-dir=/srv/pki", "--file-check-frequency=3s", "--http-check-frequency=4s", "--sync-frequency=5s",
        "--node-status-update-frequency=6s", "--cluster-dns=10.96.0.10", "--cluster-domain=cluster.local",
        "--pod-infra-container-image=pause:1", "-v", "2", "--address=10.0.0.9", "--port=11250",
        "--read-only-port=11255", "--healthz-port=11248", "--max-pods=7", "--fail-swap-on", "--register-node=false",
        "--node-labels=a=b", "--register-with-taints=k:NoExecute", "--cgroup-driver=systemd").config();
    assertEquals(Path.of("/etc/k.conf"), c.kubeconfig());
    assertEquals(Path.of("/etc/b.conf"), c.bootstrapKubeconfig());
    assertEquals("/etc/manifests", c.staticPodPath());
    assertEquals("n1", c.nodeName());
    assertEquals("10.0.0.9", c.nodeIP());
    assertEquals("unix:///run/containerd/containerd.sock", c.containerRuntimeEndpoint());
    assertFalse(c.embeddedRuntime());
    assertEquals(Path.of("/srv/kubelet"), c.rootDir());
    assertEquals(Path.of("/srv/pki"), c.certDir());
    assertEquals(Duration.ofSeconds(3), c.fileCheckFrequency());
    assertEquals(Duration.ofSeconds(4), c.httpCheckFrequency());
    assertEquals(Duration.ofSeconds(5), c.syncFrequency());
    assertEquals(Duration.ofSeconds(6), c.nodeStatusUpdateFrequency());
    assertEquals(Duration.ofSeconds(6), c.nodeStatusReportFrequency(), "follows the update frequency");
    assertEquals(List.of("10.96.0.10"), c.clusterDNS());
    assertEquals("cluster.local", c.clusterDomain());
    assertEquals("pause:1", c.podInfraContainerImage());
    assertEquals(2, c.logging().verbosity());
    assertEquals("10.0.0.9", c.address());
    assertEquals(11250, c.port());
    assertEquals(11255, c.readOnlyPort());
    assertEquals(11248, c.healthzPort());
    assertEquals(7, c.maxPods());
    assertTrue(c.failSwapOn());
    assertFalse(c.registerNode());
    assertEquals(Map.of("a", "b"), c.nodeLabels());
    assertEquals(List.of(Map.of("key", "k", "effect", "NoExecute")), c.registerWithTaints());
    assertEquals("systemd", c.cgroupDriver());
  }

  @Test
  void aRepeatedFlagTakesTheLastValueAsPflagDoes() {
    assertEquals(9, load("--max-pods=3", "--max-pods=9").config().maxPods());
  }
}
