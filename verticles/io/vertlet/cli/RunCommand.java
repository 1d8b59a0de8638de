package io.vertlet.cli;

import io.vertlet.agent.Agent;
import io.vertlet.config.ConfigLoader;
import io.vertlet.config.ConfigResult;
import io.vertlet.config.KubeletFlags;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code vertlet run [kubelet flags]}: the node agent. Also what {@code vertlet --flag ...} means,
 * so units written for {@code /usr/bin/kubelet} run unchanged.
 */
@Command(name = "run", description = "Run the node agent. With no flags at all: the standalone default "
    + "(conf/standalone.yaml, root dir ./var, embedded runtime, the example static pods).")
public final class RunCommand implements Callable<Integer> {

  @Mixin KubeletFlags flags;
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigResult loaded = ConfigLoader.load(flags);
    ConfigCommand.printWarnings(loaded, err);
    if (!loaded.valid()) {
      ConfigCommand.printErrors(loaded, err);
      err.flush();
      return 1;
    }
    Agent agent;
    try {
      agent = Agent.start(flags, loaded).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      err.println("vertlet: could not start: " + (e.getMessage() == null ? e : e.getMessage()));
      err.flush();
      return 1;
    }
    out.println("vertlet " + VersionCommand.VERSION + " running as node " + loaded.config().nodeName());
    agent.listening().forEach(l -> out.println("  listening: " + l));
    out.println("  journal:   " + agent.rootDir().resolve("journal").toAbsolutePath());
    out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.stop("signal").await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        // the process is going away either way; the journal has everything it acknowledged
      }
      stopped.countDown();
    }, "vertlet-shutdown"));
    stopped.await();
    return 0;
  }
}
