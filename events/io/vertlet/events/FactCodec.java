package io.vertlet.events;

import java.util.Map;
import java.util.function.UnaryOperator;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encodes a fact's payload as JSON (so {@code journal cat} pipes into jq) and decodes it back,
 * upcasting payloads written with an older schema version first.
 */
public final class FactCodec {

  /** Shared, thread-safe once built. Unknown fields are ignored so a newer journal still reads. */
  public static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  /**
   * Upcasters by type name and the version they read: each turns a payload of version v into one of
   * version v+1. None yet; the first schema change adds its entry here.
   */
  private static final Map<String, Map<Integer, UnaryOperator<ObjectNode>>> UPCASTERS = Map.of();

  private FactCodec() {}

  public static byte[] encode(Fact fact) {
    return JSON.writeValueAsBytes(fact);
  }

  /** Decodes a payload of the given type and schema version. */
  public static Fact decode(String type, int version, byte[] payload) {
    Class<? extends Fact> cls = FactTypes.byName(type);
    if (cls == null) {
      throw new UnknownFactException(type);
    }
    int current = FactTypes.version(cls);
    if (version == current) {
      return JSON.readValue(payload, cls);
    }
    if (version > current) {
      throw new IllegalArgumentException("fact " + type + " has schema version " + version
          + ", newer than this build's " + current + "; use a newer vertlet to read this journal");
    }
    JsonNode tree = JSON.readTree(payload);
    ObjectNode node = (ObjectNode) tree;
    for (int v = version; v < current; v++) {
      UnaryOperator<ObjectNode> up = UPCASTERS.getOrDefault(type, Map.of()).get(v);
      if (up == null) {
        throw new IllegalStateException("no upcaster for " + type + " from schema version " + v);
      }
      node = up.apply(node);
    }
    return JSON.treeToValue(node, cls);
  }

  /** A type name this build does not know: the journal was written by a newer vertlet. */
  public static final class UnknownFactException extends RuntimeException {
    public UnknownFactException(String type) {
      super("unknown fact type " + type + "; use a newer vertlet to read this journal");
    }
  }
}
