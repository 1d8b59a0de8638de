package io.vertlet.pods;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the pod workers run. The lead wires these from the effective KubeletConfiguration:
 * {@code maxPods}, {@code syncFrequency}, {@code rootDir}, {@code podLogsDir} ({@code /var/log/pods}
 * upstream; default here {@code <rootDir>/logs/pods}), the node name and IP.
 *
 * @param nodeName the node's name (env fieldRef spec.nodeName; also the {@link #NODE_LABEL} value
 *     that marks the sandboxes and containers this agent owns)
 * @param nodeIp the node's IP (status.hostIP; the pod IP of hostNetwork pods); null: from AgentStarted
 * @param rootDir the agent's root dir; pods' emptyDir volumes live under {@code pods/<uid>/volumes}
 * @param podLogsDir where pod log directories ({@code <ns>_<name>_<uid>}) are made
 * @param maxPods admission limit (kubelet default 110)
 * @param syncFrequency periodic resync of every pod and orphan clean-up (kubelet default 1 m)
 * @param backoff the restart backoff (kubelet: 10 s doubling to 300 s, reset after 10 minutes)
 * @param runtimeHandler CRI runtime handler for sandboxes ("" for the default)
 * @param imagePresentTtl how long an image found present is trusted without asking the runtime again
 */
public record PodManagerOptions(String nodeName, String nodeIp, Path rootDir, Path podLogsDir, int maxPods,
    Duration syncFrequency, RestartBackoff backoff, String runtimeHandler, Duration imagePresentTtl) {

  /** The label on every sandbox and container the agent creates; orphan clean-up touches only those. */
  public static final String NODE_LABEL = "io.vertlet.node";

  public static PodManagerOptions defaults(String nodeName, Path rootDir) {
    return new PodManagerOptions(nodeName, null, rootDir, rootDir.resolve("logs").resolve("pods"), 110,
        Duration.ofMinutes(1), RestartBackoff.DEFAULT, "", Duration.ofSeconds(30));
  }

  public PodManagerOptions withNodeIp(String ip) {
    return new PodManagerOptions(nodeName, ip, rootDir, podLogsDir, maxPods, syncFrequency, backoff,
        runtimeHandler, imagePresentTtl);
  }

  public PodManagerOptions withPodLogsDir(Path dir) {
    return new PodManagerOptions(nodeName, nodeIp, rootDir, dir, maxPods, syncFrequency, backoff, runtimeHandler,
        imagePresentTtl);
  }

  public PodManagerOptions withMaxPods(int max) {
    return new PodManagerOptions(nodeName, nodeIp, rootDir, podLogsDir, max, syncFrequency, backoff,
        runtimeHandler, imagePresentTtl);
  }

  public PodManagerOptions withSyncFrequency(Duration d) {
    return new PodManagerOptions(nodeName, nodeIp, rootDir, podLogsDir, maxPods, d, backoff, runtimeHandler,
        imagePresentTtl);
  }

  public PodManagerOptions withBackoff(RestartBackoff b) {
    return new PodManagerOptions(nodeName, nodeIp, rootDir, podLogsDir, maxPods, syncFrequency, b, runtimeHandler,
        imagePresentTtl);
  }

  public PodManagerOptions withRuntimeHandler(String handler) {
    return new PodManagerOptions(nodeName, nodeIp, rootDir, podLogsDir, maxPods, syncFrequency, backoff, handler,
        imagePresentTtl);
  }
}
