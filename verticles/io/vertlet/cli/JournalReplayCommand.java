package io.vertlet.cli;

import io.vertlet.events.Committed;
import io.vertlet.events.FactCodec;
import io.vertlet.journal.JournalReader;
import io.vertlet.journal.Snapshots;
import io.vertlet.projection.Describe;
import io.vertlet.projection.NodeState;
import io.vertlet.projection.ProjectionSnapshot;
import io.vertlet.projection.StateReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vertlet journal replay}: the timeline up to a point, then what the node believed at that
 * point, folded with the same projection code the agent runs.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Print the timeline up to a sequence number or instant, then the node state reconstructed "
        + "at that point (same fold as the agent).")
public final class JournalReplayCommand extends JournalSubcommand {

  @Option(names = "--until-seq", paramLabel = "N", description = "Stop after this sequence number.")
  Long untilSeq;

  @Option(names = "--until", paramLabel = "TIME", description = "Stop after this instant (ISO-8601).")
  String until;

  @Option(names = "--pod", paramLabel = "NS/NAME", description = "Only this pod's facts and state.")
  String pod;

  @Option(names = "--format", defaultValue = "text", description = "text (one line per fact) or json.")
  String format;

  @Override
  Integer execute(CommandLine cli, Path journal) throws Exception {
    if (untilSeq != null && until != null) {
      throw new CommandLine.ParameterException(cli, "give --until-seq or --until, not both");
    }
    if (!format.equals("json") && !format.equals("text")) {
      throw new CommandLine.ParameterException(cli, "--format must be text or json, not '" + format + "'");
    }
    Instant untilAt = null;
    if (until != null) {
      var p = JournalCliSupport.Point.parse(cli, "--until", until);
      if (p.at() == null) {
        throw new CommandLine.ParameterException(cli, "--until takes an instant; use --until-seq for a sequence number");
      }
      untilAt = p.at();
    }
    String[] podKey = JournalCliSupport.parsePod(cli, pod);
    var podFilter = JournalCliSupport.podFilter(podKey);
    long toSeq = untilSeq == null ? Long.MAX_VALUE : untilSeq;
    long untilNanos = untilAt == null ? Long.MAX_VALUE : io.vertlet.journal.JournalRecord.toEpochNanos(untilAt);
    PrintWriter out = cli.getOut();
    PrintWriter err = cli.getErr();

    // Start the fold from the newest snapshot at or before the end point (its records may be gone to
    // retention); the timeline still shows every record the journal holds.
    NodeState[] state = {NodeState.EMPTY};
    long[] foldedFrom = {0};
    var snap = Snapshots.newestValid(journal, toSeq);
    if (snap.isPresent()) {
      try {
        NodeState s = ProjectionSnapshot.decode(snap.get().payload());
        if (s.at() == null || untilAt == null || !s.at().isAfter(untilAt)) {
          state[0] = s;
          foldedFrom[0] = snap.get().seq();
        }
      } catch (RuntimeException unreadable) {
        err.println("warning: snapshot " + snap.get().file().getFileName() + " cannot be used ("
            + unreadable.getMessage() + "); folding from the first record");
      }
    }
    long[] firstSeen = {-1};
    new JournalReader(journal, JournalReader.Mode.LIVE).read(1, toSeq, r -> true, r -> {
      if (r.atEpochNanos() > untilNanos) {
        return false;
      }
      if (firstSeen[0] < 0) {
        firstSeen[0] = r.seq();
      }
      Committed c = r.toCommitted();
      if (podFilter.test(r)) {
        out.println(format.equals("text") ? Describe.line(c) : JournalCliSupport.jsonLine(r));
      }
      if (c.seq() > foldedFrom[0]) {
        state[0] = state[0].apply(c);
      }
      return true;
    });
    if (firstSeen[0] > foldedFrom[0] + 1) {
      err.println("warning: the journal starts at seq " + firstSeen[0] + " (older records were deleted by retention)"
          + " and no snapshot covers seq " + (firstSeen[0] - 1) + ": the state below misses their effects");
    }
    NodeState result = podKey == null ? state[0] : onlyPod(state[0], podKey);
    if (format.equals("text")) {
      out.println("---");
      out.print(StateReport.text(result));
    } else {
      out.println("{\"state\":" + FactCodec.JSON.writeValueAsString(result) + "}");
    }
    out.flush();
    return 0;
  }

  private static NodeState onlyPod(NodeState s, String[] key) {
    var pods = new LinkedHashMap<String, io.vertlet.projection.PodView>();
    s.pods().forEach((uid, view) -> {
      if (view.ref().namespace().equals(key[0]) && view.ref().name().equals(key[1])) {
        pods.put(uid, view);
      }
    });
    return new NodeState(s.seq(), s.at(), s.agent(), s.config(), pods, s.conditions(), s.rejectedManifests(),
        s.runtime(), s.lease(), s.journalRepairs());
  }
}
