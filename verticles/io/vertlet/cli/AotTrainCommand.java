package io.vertlet.cli;

import io.vertlet.agent.Agent;
import io.vertlet.config.ConfigLoader;
import io.vertlet.config.ConfigResult;
import io.vertlet.config.KubeletFlags;
import io.vertlet.journal.JournalOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.RequestOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vertlet aot-train}: the training workload for the JDK's AOT cache (JEP 483/514). The launcher
 * runs it once per jar under {@code -XX:AOTCacheOutput=...}: the JVM records every class the run
 * loads and links, and writes the cache when it exits. So the run walks the agent's real start-up
 * and a pod's life: an agent on the embedded runtime in a temporary root dir, one static pod
 * started, shown Running in /pods, its /metrics and /healthz read, then deleted, and the agent
 * stopped. Hidden: a user never needs it.
 */
@Command(name = "aot-train", hidden = true,
    description = "Training run for the JDK AOT cache: start an agent in a temporary dir, run one pod, stop.")
public final class AotTrainCommand implements Callable<Integer> {

  @Option(names = "--timeout", defaultValue = "5m", description = "Give up after this long (default ${DEFAULT-VALUE}).")
  String timeout;

  // Vert.x's own client, not the JDK's: the cache should hold what the agent loads, not a second
  // HTTP stack (every archived class is mapped, and touched, at every start).
  private Vertx vertx;
  private HttpClient http;

  @Override
  public Integer call() throws Exception {
    long deadline = System.nanoTime() + io.vertlet.events.GoDuration.parse(timeout).toNanos();
    Path tmp = Files.createTempDirectory("vertlet-aot-train");
    Path manifests = Files.createDirectories(tmp.resolve("manifests"));
    Path root = tmp.resolve("var");
    int readOnly = freePort();
    Path config = tmp.resolve("kubelet.yaml");
    Files.writeString(config, ThrowAwayAgentConfig.yaml(manifests, freePort(), readOnly, freePort())
        + "podLogsDir: " + tmp.resolve("pod-logs") + "\ncontainerRuntimeEndpoint: embedded\n");
    Files.writeString(manifests.resolve("train.yaml"), """
        apiVersion: v1
        kind: Pod
        metadata:
          name: train
          namespace: default
        spec:
          hostNetwork: true
          terminationGracePeriodSeconds: 1
          containers:
          - name: sleep
            image: localhost/busybox:1.35
            imagePullPolicy: IfNotPresent
            command: ["sleep", "3600"]
        """);
    boolean ran = false;
    boolean deleted = false;
    Agent agent = null;
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(readOnly));
    try {
      KubeletFlags flags = KubeletFlags.parse("--config=" + config, "--root-dir=" + root,
          "--hostname-override=aot-train", "--node-ip=127.0.0.1");
      ConfigResult loaded = ConfigLoader.load(flags);
      // Start-up includes the secure port's first certificate (a keytool child JVM): seconds when idle,
      // a minute on a saturated machine.
      agent = Agent.start(flags, loaded, JournalOptions.defaults(root))
          .await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      ran = await("/pods", body -> body.contains("\"phase\":\"Running\""), deadline);
      get("/metrics");
      get("/healthz");
      Files.delete(manifests.resolve("train.yaml"));
      deleted = await("/pods", body -> !body.contains("\"uid\""), deadline);
    } finally {
      if (agent != null) {
        agent.stop("aot-train", Duration.ofSeconds(20));
      }
      vertx.close().await(10, TimeUnit.SECONDS);
      ProcessSweep.killAllNaming(tmp.toString());
      deleteQuietly(tmp);
    }
    System.err.println(ran && deleted ? "vertlet: AOT training run done (one pod started and deleted)"
        : "vertlet: AOT training run: the pod did not " + (ran ? "go away" : "reach Running") + " in time; "
            + "the cache covers what ran until then");
    return 0;
  }

  private boolean await(String url, Predicate<String> done, long deadline) throws InterruptedException {
    while (System.nanoTime() < deadline) {
      String body = get(url);
      if (body != null && done.test(body)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private String get(String path) {
    try {
      return http.request(new RequestOptions().setURI(path).setTimeout(5_000))
          .compose(r -> r.send().compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? b.toString() : null)))
          .await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary dir; the OS cleans it eventually
    }
  }
}
