package io.vertlet.cli;

import io.vertlet.agent.Agent;
import io.vertlet.config.ConfigResult;
import io.vertlet.config.KubeletFlags;
import io.vertlet.config.Quantity;
import io.vertlet.events.GoDuration;
import io.vertlet.journal.FsyncPolicy;
import io.vertlet.journal.JournalOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

  // vertlet's own flags (no kubelet has a journal): how durable and how large it is.
  @Option(names = "--journal-fsync", paramLabel = "always|batch|none", defaultValue = "batch",
      description = "When an appended fact counts as durable: after its own fsync (always), after its batch's "
          + "(batch, group commit), or never synced (none). Default ${DEFAULT-VALUE}.")
  String journalFsync;

  @Option(names = "--journal-segment-size", paramLabel = "QUANTITY", defaultValue = "64Mi",
      description = "Rotate journal segments at this size. Default ${DEFAULT-VALUE}.")
  String journalSegmentSize;

  @Option(names = "--journal-retention-size", paramLabel = "QUANTITY", defaultValue = "1Gi",
      description = "Delete the oldest segments past this total, never what the newest snapshot needs. "
          + "Default ${DEFAULT-VALUE}.")
  String journalRetentionSize;

  @Option(names = "--journal-retention-age", paramLabel = "DURATION", defaultValue = "168h",
      description = "Delete segments older than this (0s: never), never what the newest snapshot needs. "
          + "Default ${DEFAULT-VALUE}.")
  String journalRetentionAge;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ConfigResult loaded = ConfigCommand.loadAndReport(flags, err);
    if (!loaded.valid()) {
      return 1;
    }
    JournalOptions journal;
    try {
      journal = JournalOptions.defaults(loaded.config().rootDir())
          .withFsync(FsyncPolicy.parse(journalFsync))
          .withSegmentBytes(Quantity.parse(journalSegmentSize).longValue())
          .withRetention(Quantity.parse(journalRetentionSize).longValue(), GoDuration.parse(journalRetentionAge));
    } catch (IllegalArgumentException e) {
      err.println("vertlet: invalid journal flag: " + e.getMessage());
      err.flush();
      return 2;
    }
    Agent agent;
    try {
      agent = Agent.start(flags, loaded, journal).await(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      err.println("vertlet: could not start: " + (e.getMessage() == null ? e : e.getMessage()));
      err.flush();
      return 1;
    }
    out.println("vertlet " + VersionCommand.VERSION + " running as node " + loaded.config().nodeName());
    agent.listening().forEach(l -> out.println("  listening: " + l));
    out.println("  journal:   " + agent.rootDir().resolve("journal").toAbsolutePath());
    out.flush();

    // SIGTERM/SIGINT: journal AgentStopping, stop every verticle, then exit 0 as a kubelet does (the
    // JVM would otherwise report 143); 1 when the clean stop did not finish in time.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      int status = 0;
      try {
        agent.stop("signal", java.time.Duration.ofSeconds(20));
      } catch (Exception e) {
        status = 1; // the journal still holds everything it acknowledged
      }
      Runtime.getRuntime().halt(status);
    }, "vertlet-shutdown"));
    new CountDownLatch(1).await(); // the agent runs until a signal
    return 0;
  }
}
