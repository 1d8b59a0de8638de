package io.vertlet.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vertlet journal ...}: read, check and repair a journal on disk, without a running agent. */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description = "Inspect the event journal on disk (no running agent needed).",
    subcommands = {
        JournalVerifyCommand.class,
        JournalCatCommand.class,
        JournalTailCommand.class,
        JournalReplayCommand.class,
        JournalRepairCommand.class,
    })
public final class JournalCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
