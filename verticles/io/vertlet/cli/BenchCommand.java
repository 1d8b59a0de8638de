package io.vertlet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vertlet bench ...}: measurements on this machine (not tests: they print, they do not judge). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run a benchmark on this machine.",
    subcommands = {JournalBenchCommand.class, CriBenchCommand.class, PodBenchCommand.class})
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
