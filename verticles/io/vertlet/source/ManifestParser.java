package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.type.TypeReference;

/**
 * A manifest's bytes to complete, validated static pods: decode, default, validate. A manifest is
 * one unit: if any of its documents is not a valid Pod the whole manifest is rejected, so a file
 * never half-applies. Stateless and thread-safe.
 */
final class ManifestParser {

  private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {};

  private final ManifestDecoder decoder;
  private final String nodeName;

  ManifestParser(int maxBytes, String nodeName) {
    this.decoder = new ManifestDecoder(maxBytes);
    this.nodeName = nodeName;
  }

  /** @param source "file" or "http"; @param origin the absolute file path or the URL */
  List<Pod> parse(byte[] bytes, String source, String origin) throws ManifestException {
    List<Pod> pods = new ArrayList<>();
    Map<String, String> documentByKey = new HashMap<>();
    for (ManifestDecoder.DecodedPod decoded : decoder.decode(bytes)) {
      Pod pod = decoded.pod();
      String nameAsWritten = pod.getMetadata() == null ? null : pod.getMetadata().getName();
      List<String> unknown = unknownFields(pod);
      StaticPodDefaults.apply(pod, decoded.raw(), source, origin, nodeName);
      List<String> errors = PodValidator.validate(pod, nameAsWritten);
      if (!errors.isEmpty()) {
        String hint = unknown.isEmpty() ? "" : " (unknown fields ignored: " + String.join(", ", unknown) + ")";
        throw new ManifestException(decoded.where() + "invalid pod: " + PodValidator.summarize(errors) + hint);
      }
      String key = pod.getMetadata().getNamespace() + "/" + nameAsWritten;
      String earlier = documentByKey.putIfAbsent(key, decoded.where());
      if (earlier != null) {
        throw new ManifestException(decoded.where() + "metadata.name: Duplicate value: \"" + nameAsWritten
            + "\": the manifest already has a pod " + key + (earlier.isEmpty() ? "" : " in " + strip(earlier)));
      }
      pods.add(pod);
    }
    return pods;
  }

  /** The digest that tells whether an announced pod's spec changed; {@code config.seen} is left out. */
  static String specDigest(Pod pod) {
    Map<String, Object> tree = new LinkedHashMap<>(Canonical.MAPPER.convertValue(pod, TREE));
    if (tree.get("metadata") instanceof Map<?, ?> meta && meta.get("annotations") instanceof Map<?, ?> ann
        && ann.containsKey(StaticPodDefaults.CONFIG_SEEN)) {
      Map<Object, Object> metaCopy = new LinkedHashMap<>(meta);
      Map<Object, Object> annCopy = new LinkedHashMap<>(ann);
      annCopy.remove(StaticPodDefaults.CONFIG_SEEN);
      metaCopy.put("annotations", annCopy);
      tree.put("metadata", metaCopy);
    }
    return Canonical.sha256Hex(Canonical.json(tree));
  }

  private static String strip(String where) {
    return where.endsWith(": ") ? where.substring(0, where.length() - 2) : where;
  }

  /** Fields fabric8 did not recognise (typos like "contianers"), to explain a validation failure. */
  private static List<String> unknownFields(Pod pod) {
    List<String> unknown = new ArrayList<>();
    pod.getAdditionalProperties().keySet().forEach(k -> unknown.add(k));
    if (pod.getMetadata() != null) {
      pod.getMetadata().getAdditionalProperties().keySet().forEach(k -> unknown.add("metadata." + k));
    }
    if (pod.getSpec() != null) {
      pod.getSpec().getAdditionalProperties().keySet().forEach(k -> unknown.add("spec." + k));
      List<Container> containers = StaticPodDefaults.nz(pod.getSpec().getContainers());
      for (int i = 0; i < containers.size(); i++) {
        int index = i;
        if (containers.get(i) != null) {
          containers.get(i).getAdditionalProperties().keySet()
              .forEach(k -> unknown.add("spec.containers[" + index + "]." + k));
        }
      }
    }
    return unknown.size() > 5 ? unknown.subList(0, 5) : unknown;
  }
}
