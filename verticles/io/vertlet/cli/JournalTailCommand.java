package io.vertlet.cli;

import io.vertlet.journal.JournalReader;
import io.vertlet.journal.JournalRecord;
import io.vertlet.journal.Recovery;
import io.vertlet.projection.Describe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vertlet journal tail [-n N] [-f]}: the last facts, then (with -f) new ones as they land. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print the last N committed facts; with -f keep printing new ones (polls the files).")
public final class JournalTailCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = "./var", description = "Root dir or its journal/ folder (default ./var).")
  Path dir;

  @Option(names = {"-n", "--lines"}, defaultValue = "10", description = "How many facts to print first (default 10).")
  long lines;

  @Option(names = {"-f", "--follow"}, description = "Keep polling for new facts until interrupted.")
  boolean follow;

  @Option(names = "--format", defaultValue = "json", description = "json (JSON lines, as cat) or text.")
  String format;

  @Option(names = "--poll-millis", defaultValue = "200", hidden = true)
  long pollMillis;

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
