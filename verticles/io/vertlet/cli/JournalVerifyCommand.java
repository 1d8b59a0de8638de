package io.vertlet.cli;

import io.vertlet.journal.JournalVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vertlet journal verify}: reads everything, exit 0 when sound, 1 naming the first bad record. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check every segment and snapshot; exit 0 when sound, 1 naming the segment and byte offset "
        + "of the first bad record.")
public final class JournalVerifyCommand extends JournalSubcommand {

  @Option(names = {"-v", "--verbose"}, description = "List every segment.")
  boolean verbose;

  @Override
  Integer execute(CommandLine cli, Path journal) throws Exception {
    JournalVerifier.Report report = JournalVerifier.verify(journal);
    PrintWriter out = cli.getOut();
    PrintWriter err = cli.getErr();
    if (verbose) {
      for (var s : report.segments()) {
        out.printf("%s  seq %d..%d  %d records  %d bytes%s%n", s.segment(), s.firstSeq(), s.lastSeq(), s.records(),
            s.bytes(), s.damage() == null ? "" : "  DAMAGED at byte offset " + s.damage().offset());
      }
    }
    for (String problem : report.snapshotProblems()) {
      err.println("warning: " + problem + " (start-up skips it and uses an older snapshot)");
    }
    if (report.sound()) {
      out.printf("journal %s is sound: %d segment(s), %d record(s), %d snapshot(s)%n", journal,
          report.segments().size(), report.records(), report.snapshotCount());
      return 0;
    }
    var d = report.firstDamage();
    err.printf("journal %s is damaged: segment %s at byte offset %d: %s%n", journal, d.segment(), d.offset(),
        d.reason());
    if (report.tornTail()) {
      err.println("this is a torn tail: the agent's next start copies the segment to " + d.segment()
          + ".broken and truncates it at that offset, recording a JournalRepaired fact");
    } else {
      err.println("this is damage in the middle of the journal (" + (d.validAfter() ? "sound records follow it"
          : "later segments follow it") + "): the agent refuses to start. To keep everything before it run:");
      err.printf("  vertlet journal repair --dir %s --truncate-at %s:%d%n", dir, d.segment(), d.offset());
    }
    return 1;
  }
}
