package io.vertlet.cli;

import io.vertlet.journal.JournalReader;
import io.vertlet.journal.JournalRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vertlet journal cat}: committed facts as JSON lines, for jq. */
@Command(name = "cat", mixinStandardHelpOptions = true,
    description = "Print committed facts as JSON lines: {\"seq\",\"at\",\"type\",\"v\",\"pod\",\"fact\"}.")
public final class JournalCatCommand extends JournalSubcommand {

  @Option(names = "--type", split = ",", paramLabel = "TYPE", description = "Only these fact types (repeat or comma-separate).")
  Set<String> types;

  @Option(names = "--pod", paramLabel = "NS/NAME", description = "Only facts about this pod.")
  String pod;

  @Option(names = "--since", paramLabel = "SEQ|TIME", description = "From this sequence number or instant (inclusive).")
  String since;

  @Option(names = "--until", paramLabel = "SEQ|TIME", description = "Up to this sequence number or instant (inclusive).")
  String until;

  @Override
  Integer execute(CommandLine cli, Path journal) throws Exception {
    var from = JournalCliSupport.Point.parse(cli, "--since", since);
    var to = JournalCliSupport.Point.parse(cli, "--until", until);
    Predicate<JournalRecord> filter = JournalCliSupport.typeFilter(types)
        .and(r -> from == null || from.after(r))
        .and(JournalCliSupport.podFilter(JournalCliSupport.parsePod(cli, pod)));
    long fromSeq = from != null && from.seq() >= 0 ? from.seq() : 1;
    long toSeq = to != null && to.seq() >= 0 ? to.seq() : Long.MAX_VALUE;
    PrintWriter out = cli.getOut();
    new JournalReader(journal, JournalReader.Mode.LIVE).read(fromSeq, toSeq, r -> true, r -> {
      if (to != null && !to.before(r)) {
        return false; // records are in time order: nothing later can match
      }
      if (filter.test(r)) {
        out.println(JournalCliSupport.jsonLine(r));
      }
      return true;
    });
    out.flush();
    return 0;
  }
}
