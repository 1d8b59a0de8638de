package io.vertlet.cli;

import io.vertlet.journal.Repair;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vertlet journal repair --truncate-at SEGMENT:OFFSET}: the operator's way past damage in the
 * middle of the journal. Run it with the agent stopped.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = "Cut the journal at SEGMENT:OFFSET (as named by `journal verify`), copying the cut segment "
        + "to .broken and renaming later segments and snapshots to .broken. Stop the agent first.")
public final class JournalRepairCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "./var", description = "Root dir or its journal/ folder (default ./var).")
  Path dir;

  @Option(names = "--truncate-at", required = true, paramLabel = "SEGMENT:OFFSET",
      description = "Segment file name and byte offset of the first bad record.")
  String truncateAt;

  @Override
  public Integer call() throws Exception {
    try {
      return execute();
    } catch (java.io.IOException e) {
      // Damage, a newer format, a missing file: one line naming it, not a stack trace.
      spec.commandLine().getErr().println("vertlet journal: " + e.getMessage());
      return 1;
    }
  }

  private Integer execute() throws Exception {
    CommandLine cli = spec.commandLine();
    Path journal = JournalCliSupport.journalDir(cli, dir);
    int colon = truncateAt.lastIndexOf(':');
    long offset;
    try {
      offset = Long.parseLong(truncateAt.substring(colon + 1));
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CommandLine.ParameterException(cli, "--truncate-at '" + truncateAt + "' must be SEGMENT:OFFSET");
    }
    if (colon <= 0) {
      throw new CommandLine.ParameterException(cli, "--truncate-at '" + truncateAt + "' must be SEGMENT:OFFSET");
    }
    for (String line : Repair.truncateAt(journal, truncateAt.substring(0, colon), offset)) {
      cli.getOut().println(line);
    }
    return 0;
  }
}
