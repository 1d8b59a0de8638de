package io.vertlet.runtime;

/**
 * What the embedded runtime keeps about one sandbox; persisted as {@code sandboxes/<id>.json}.
 *
 * @param config the {@code PodSandboxConfig} as given, protobuf bytes (base64 in the JSON)
 * @param state {@code READY} or {@code NOTREADY}
 */
record SandboxRecord(String id, long createdAt, String state, String runtimeHandler, byte[] config) {

  static final String READY = "READY";
  static final String NOTREADY = "NOTREADY";

  SandboxRecord withState(String newState) {
    return new SandboxRecord(id, createdAt, newState, runtimeHandler, config);
  }
}
