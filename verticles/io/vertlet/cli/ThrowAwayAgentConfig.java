package io.vertlet.cli;

/**
 * The KubeletConfiguration of an agent a command starts for a moment (the pod benchmark's, the AOT
 * training run's): standalone, static pods from a folder polled every second, every port on
 * 127.0.0.1, anonymous + AlwaysAllow, no swap or cgroup-driver checks in the way — the settings
 * shared/anchors/upstream-kubelet.md measured the upstream kubelet with.
 */
final class ThrowAwayAgentConfig {

  private ThrowAwayAgentConfig() {}

  /** The YAML; a caller may append further top-level fields. */
  static String yaml(Object staticPodPath, int port, int readOnlyPort, int healthzPort) {
    return """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        staticPodPath: %s
        fileCheckFrequency: 1s
        address: 127.0.0.1
        port: %d
        readOnlyPort: %d
        healthzBindAddress: 127.0.0.1
        healthzPort: %d
        authentication:
          anonymous:
            enabled: true
          webhook:
            enabled: false
        authorization:
          mode: AlwaysAllow
        failSwapOn: false
        cgroupDriver: cgroupfs
        """.formatted(staticPodPath, port, readOnlyPort, healthzPort);
  }
}
