package io.vertlet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What every {@code vertlet journal} subcommand shares: the {@code --dir} option, finding the
 * journal folder in it, and turning damage, a newer format or a missing file into one line naming
 * it (exit 1) instead of a stack trace.
 */
abstract class JournalSubcommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "./var", description = "Root dir or its journal/ folder (default ./var).")
  Path dir;

  @Override
  public final Integer call() throws Exception {
    try {
      return execute(spec.commandLine(), JournalCliSupport.journalDir(spec.commandLine(), dir));
    } catch (IOException e) {
      spec.commandLine().getErr().println("vertlet journal: " + e.getMessage());
      return 1;
    }
  }

  /** Runs the subcommand on the journal folder {@code journal}. */
  abstract Integer execute(CommandLine cli, Path journal) throws Exception;
}
