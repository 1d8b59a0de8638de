package io.vertlet.cli;

import io.vertlet.runtime.EmbeddedRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vertlet runtime serve}: the embedded CRI runtime alone, for crictl or any CRI client. */
@Command(name = "runtime", description = "The embedded container runtime (CRI runtime.v1 on a unix socket).",
    mixinStandardHelpOptions = true, subcommands = {RuntimeCommand.Serve.class})
public final class RuntimeCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve CRI on SOCKET until SIGTERM/SIGINT. Containers are host processes; they keep running "
          + "when this stops and are adopted by the next start on the same state dir.")
  static final class Serve implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "Unix socket to listen on.")
    Path socket;

    @Option(names = "--state-dir", paramLabel = "DIR",
        description = "Where sandboxes, containers and images are recorded (default: DIR-of-socket/state).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
      Path state = stateDir != null ? stateDir : socket.toAbsolutePath().getParent().resolve("state");
      Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      EmbeddedRuntime runtime = new EmbeddedRuntime(socket, state);
      try {
        runtime.start(vertx).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        System.err.println("vertlet runtime serve: " + e.getCause().getMessage());
        vertx.close();
        return 1;
      }
      System.out.println("serving CRI on " + runtime.endpoint() + " (state " + runtime.stateDir() + ")");
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          runtime.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          // exiting anyway
        }
        stopped.countDown();
      }));
      stopped.await();
      return 0;
    }
  }
}
