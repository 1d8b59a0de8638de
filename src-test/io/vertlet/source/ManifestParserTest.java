package io.vertlet.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.events.FactCodec;
import io.vertlet.events.FactTypes;
import io.vertlet.events.PodRef;
import io.vertlet.events.SourceFact;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

  final ManifestParser parser = new ManifestParser(1 << 20, "n1");

  List<Pod> parse(String text) throws ManifestException {
    return parser.parse(text.getBytes(StandardCharsets.UTF_8), "file", "/m/x.yaml");
  }

  String reject(String text) {
    return assertThrows(ManifestException.class, () -> parse(text)).getMessage();
  }

  static final String POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: busybox}\n";

  @Test
  void byteOrderMarkCrlfCommentsAndEmptyDocumentsAreFine() throws Exception {
    String text = "\uFEFF# a comment\r\n---\r\n" + POD.replace("\n", "\r\n") + "---\r\n---\r\n";
    assertEquals("p-n1", parse(text).get(0).getMetadata().getName());
  }

  @Test
  void datesAndYesStayWhatKubernetesMakesOfThem() throws Exception {
    Pod pod = parse(POD.replace("metadata: {name: p}", "metadata: {name: p, labels: {day: 2024-01-02}}")).get(0);
    assertEquals("2024-01-02", pod.getMetadata().getLabels().get("day"));
  }

  @ParameterizedTest
  @CsvSource({
      "busybox, Always",
      "busybox:latest, Always",
      "busybox:1.35, IfNotPresent",
      "localhost:5000/busybox, Always",
      "localhost:5000/busybox:1.35, IfNotPresent",
      "busybox@sha256:0123, IfNotPresent",
      "busybox:latest@sha256:0123, Always"})
  void pullPolicyDefaultsFollowTheTag(String image, String policy) {
    assertEquals(policy, StaticPodDefaults.defaultPullPolicy(image));
  }

  @Test
  void schemeDefaultsForProbesPortsResourcesAndVolumes() throws Exception {
    Pod pod = parse("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostNetwork: true
          volumes: [{name: scratch}]
          containers:
          - name: c
            image: busybox
            ports: [{containerPort: 8080}]
            resources: {limits: {memory: 64Mi}}
            livenessProbe: {httpGet: {port: 8080}}
            env: [{name: ME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        """).get(0);
    Container c = pod.getSpec().getContainers().get(0);
    assertEquals(8080, c.getPorts().get(0).getHostPort());
    assertEquals("TCP", c.getPorts().get(0).getProtocol());
    assertEquals("64Mi", c.getResources().getRequests().get("memory").toString());
    assertEquals("/", c.getLivenessProbe().getHttpGet().getPath());
    assertEquals(3, c.getLivenessProbe().getFailureThreshold());
    assertEquals("v1", c.getEnv().get(0).getValueFrom().getFieldRef().getApiVersion());
    assertTrue(pod.getSpec().getVolumes().get(0).getEmptyDir() != null);
  }

  @Test
  void hostNetworkPortsMustMatchAndHostPortsMustBeUnique() {
    String reason = reject("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostNetwork: true
          containers:
          - {name: a, image: busybox, ports: [{containerPort: 80, hostPort: 8080}]}
          - {name: b, image: busybox, ports: [{containerPort: 8080}]}
        """);
    assertTrue(reason.contains("spec.containers[0].ports[0].containerPort: Invalid value: 80: must match hostPort"), reason);
    assertTrue(reason.contains("spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP/8080\""), reason);
  }

  @Test
  void sidecarRestartPolicyOnlyOnInitContainers() throws Exception {
    assertEquals(1, parse(POD.replace("spec:\n", "spec:\n  initContainers:\n  - {name: s, image: b, restartPolicy: Always}\n")).size());
    String reason = reject(POD.replace("{name: c, image: busybox}", "{name: c, image: busybox, restartPolicy: Always}"));
    assertTrue(reason.contains("spec.containers[0].restartPolicy: Forbidden"), reason);
  }

  @Test
  void manyErrorsAreSummarized() {
    String reason = reject("""
        apiVersion: v1
        kind: Pod
        metadata: {name: P}
        spec:
          restartPolicy: X
          dnsPolicy: Y
          containers: [{name: A}, {name: B}, {name: C}]
        """);
    assertTrue(reason.endsWith("more"), reason);
  }

  @Test
  void aJournaledSpecHasTheSameDigestAsTheParsedOne() throws Exception {
    Pod pod = OriginOutcome.Parsed.of("/m/x.yaml", "k", parse(POD.replace("image: busybox}",
        "image: busybox, resources: {limits: {cpu: 100m}}, ports: [{containerPort: 80}]}")), java.time.Instant.now())
        .pods().get(0).pod();
    SourceFact.PodAdded fact = new SourceFact.PodAdded(new PodRef("default", "p-n1", "u"), "file", "/m/x.yaml", pod);
    SourceFact.PodAdded back = (SourceFact.PodAdded) FactCodec.decode(fact.type(),
        FactTypes.version(fact.getClass()), FactCodec.encode(fact));
    assertEquals(ManifestParser.specDigest(pod), ManifestParser.specDigest(back.spec()));
  }

  @Test
  void knownStaticPodsFoldAddedUpdatedAndRemovedOfFileAndHttpOnly() {
    PodRef a = new PodRef("default", "a-n1", "ua");
    PodRef b = new PodRef("default", "b-n1", "ub");
    PodRef api = new PodRef("default", "c", "uc");
    Pod spec = new Pod();
    var known = KnownStaticPod.fold(List.of(
        new SourceFact.PodAdded(a, "file", "/m/a.yaml", spec),
        new SourceFact.PodAdded(b, "http", "http://x/pods", spec),
        new SourceFact.PodAdded(api, "api", "/api/v1/pods", spec),
        new SourceFact.PodUpdated(a, "file", "/m/a.yaml", spec),
        new SourceFact.ManifestRejected("file", "/m/z.yaml", "bad"),
        new SourceFact.PodRemoved(b, "http", "gone")));
    assertEquals(java.util.Map.of("ua", new KnownStaticPod(a, "file", "/m/a.yaml", spec)), known);
  }
}
