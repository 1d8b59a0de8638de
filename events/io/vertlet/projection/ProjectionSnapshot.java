package io.vertlet.projection;

import io.vertlet.events.FactCodec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link NodeState} as snapshot bytes: JSON, wrapped with its own format version so a snapshot a
 * newer build cannot read is set aside (start-up then folds from an older snapshot or from zero)
 * instead of being misread.
 */
public final class ProjectionSnapshot {

  /** Bump when NodeState's shape changes incompatibly; older snapshots are then ignored, not misread. */
  public static final int FORMAT = 1;

  private ProjectionSnapshot() {}

  public static byte[] encode(NodeState state) {
    ObjectNode root = FactCodec.JSON.createObjectNode();
    root.put("format", FORMAT);
    root.set("state", FactCodec.JSON.valueToTree(state));
    return FactCodec.JSON.writeValueAsBytes(root);
  }

  /** The state in the snapshot, or throws {@link IllegalArgumentException} naming why it cannot be used. */
  public static NodeState decode(byte[] bytes) {
    JsonNode root = FactCodec.JSON.readTree(bytes);
    int format = root.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new IllegalArgumentException("snapshot format " + format + " is not this build's " + FORMAT);
    }
    return FactCodec.JSON.treeToValue(root.get("state"), NodeState.class);
  }
}
