package io.vertlet.cli;

import io.vertlet.journal.Repair;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vertlet journal repair --truncate-at SEGMENT:OFFSET}: the operator's way past damage in the
 * middle of the journal. Run it with the agent stopped.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = "Cut the journal at SEGMENT:OFFSET (as named by `journal verify`), copying the cut segment "
        + "to .broken and renaming later segments and snapshots to .broken. Stop the agent first.")
public final class JournalRepairCommand extends JournalSubcommand {

  @Option(names = "--truncate-at", required = true, paramLabel = "SEGMENT:OFFSET",
      description = "Segment file name and byte offset of the first bad record.")
  String truncateAt;

  @Override
  Integer execute(CommandLine cli, Path journal) throws Exception {
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
