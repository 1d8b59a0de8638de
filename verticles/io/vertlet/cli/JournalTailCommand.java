package io.vertlet.cli;

import io.vertlet.journal.JournalReader;
import io.vertlet.journal.JournalRecord;
import io.vertlet.journal.Recovery;
import io.vertlet.projection.Describe;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vertlet journal tail [-n N] [-f]}: the last facts, then (with -f) new ones as they land. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print the last N committed facts; with -f keep printing new ones (polls the files).")
public final class JournalTailCommand extends JournalSubcommand {

  @Option(names = {"-n", "--lines"}, defaultValue = "10", description = "How many facts to print first (default 10).")
  long lines;

  @Option(names = {"-f", "--follow"}, description = "Keep polling for new facts until interrupted.")
  boolean follow;

  @Option(names = "--format", defaultValue = "json", description = "json (JSON lines, as cat) or text.")
  String format;

  @Option(names = "--poll-millis", defaultValue = "200", hidden = true)
  long pollMillis;

  @Override
  Integer execute(CommandLine cli, Path journal) throws Exception {
    if (!format.equals("json") && !format.equals("text")) {
      throw new CommandLine.ParameterException(cli, "--format must be json or text, not '" + format + "'");
    }
    PrintWriter out = cli.getOut();
    long last = Recovery.lastSeq(journal);
    long next = Math.max(1, last - Math.max(0, lines) + 1);
    JournalReader reader = new JournalReader(journal, JournalReader.Mode.LIVE);
    next = print(reader, next, out) + 1;
    while (follow && !Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(pollMillis);
      } catch (InterruptedException e) {
        break;
      }
      next = print(reader, next, out) + 1;
    }
    return 0;
  }

  /** Prints records from {@code from} on; returns the last sequence number printed (from - 1 if none). */
  private long print(JournalReader reader, long from, PrintWriter out) throws Exception {
    long last = reader.read(from, Long.MAX_VALUE, r -> true, r -> {
      out.println(line(r));
      return true;
    });
    out.flush();
    return last;
  }

  private String line(JournalRecord r) {
    if (format.equals("text")) {
      try {
        return Describe.line(r.toCommitted());
      } catch (RuntimeException undecodable) {
        return r.seq() + "  " + r.at() + "  " + r.type() + "  (cannot decode: " + undecodable.getMessage() + ")";
      }
    }
    return JournalCliSupport.jsonLine(r);
  }
}
