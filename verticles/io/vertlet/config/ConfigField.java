package io.vertlet.config;

/**
 * One field of the KubeletConfiguration v1beta1: its dotted path ({@code authentication.anonymous.enabled}),
 * value kind, default, whether upstream treats an explicit zero/empty as "use the default", whether
 * vertlet applies a change live, and the kubelet flag that sets it (null when none).
 */
public record ConfigField(String path, Kind kind, Object defaultValue, boolean zeroMeansDefault, boolean live,
    String flag) {

  /** The value kinds a field can have; values are normalized to the Java type named here. */
  public enum Kind {
    /** Boolean. */ BOOL,
    /** Integer (int32). */ INT32,
    /** Long (int64). */ INT64,
    /** Double. */ FLOAT,
    /** String. */ STRING,
    /** java.time.Duration, written in Go syntax. */ DURATION,
    /** {@link Quantity}. */ QUANTITY,
    /** List of String. */ STRING_LIST,
    /** List of Integer. */ INT_LIST,
    /** Map of String to String (eviction thresholds, reservations, options). */ STRING_MAP,
    /** Map of String to Boolean (feature gates). */ BOOL_MAP,
    /** Map of String to List of String (HTTP headers). */ STRING_LIST_MAP,
    /** List of JSON-like objects (taints, reservations): kept as parsed, checked by validation. */ OBJECT_LIST,
    /** A JSON-like object (tracing, logging options): kept as parsed. */ OBJECT
  }

  static ConfigField live(String path, Kind kind, Object def) {
    return new ConfigField(path, kind, def, false, true, null);
  }

  static ConfigField restart(String path, Kind kind, Object def) {
    return new ConfigField(path, kind, def, false, false, null);
  }

  ConfigField zeroDefault() {
    return new ConfigField(path, kind, defaultValue, true, live, flag);
  }

  ConfigField flag(String name) {
    return new ConfigField(path, kind, defaultValue, zeroMeansDefault, live, name);
  }

  /** The top-level JSON key this field lives under. */
  public String topLevel() {
    int dot = path.indexOf('.');
    return dot < 0 ? path : path.substring(0, dot);
  }
}
