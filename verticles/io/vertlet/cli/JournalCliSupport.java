package io.vertlet.cli;

import io.vertlet.events.FactCodec;
import io.vertlet.events.PodRef;
import io.vertlet.journal.JournalFormat;
import io.vertlet.journal.JournalRecord;
import io.vertlet.journal.RecordFilters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine;

/** Options and formatting shared by the journal subcommands. */
final class JournalCliSupport {

  private JournalCliSupport() {}

  /** {@code --dir}: the agent's root dir or its journal/ folder. */
  static Path journalDir(CommandLine cli, Path dir) {
    Path journal = JournalFormat.journalDir(dir);
    if (!Files.isDirectory(journal)) {
      throw new CommandLine.ParameterException(cli, "no journal at " + dir
          + " (expected a root dir holding journal/, or the journal folder itself)");
    }
    return journal;
  }

  /** A point in the journal given as a sequence number or an ISO-8601 instant. */
  record Point(long seq, Instant at) {

    static Point parse(CommandLine cli, String option, String text) {
      if (text == null) {
        return null;
      }
      if (text.chars().allMatch(Character::isDigit) && !text.isEmpty()) {
        return new Point(Long.parseLong(text), null);
      }
      try {
        return new Point(-1, Instant.parse(text));
      } catch (DateTimeParseException e) {
        throw new CommandLine.ParameterException(cli, option + " '" + text
            + "' is neither a sequence number nor an instant like 2026-11-23T10:15:30Z");
      }
    }

    boolean after(JournalRecord r) {
      return seq >= 0 ? r.seq() >= seq : RecordFilters.atOrAfter(at).test(r);
    }

    boolean before(JournalRecord r) {
      return seq >= 0 ? r.seq() <= seq : RecordFilters.atOrBefore(at).test(r);
    }
  }

  static String[] parsePod(CommandLine cli, String pod) {
    if (pod == null) {
      return null;
    }
    String[] parts = pod.split("/", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new CommandLine.ParameterException(cli, "--pod '" + pod + "' must be NAMESPACE/NAME");
    }
    return parts;
  }

  /** Keeps records about the pod {@code ns/name} (decodes the payload; types filter first, cheaply). */
  static Predicate<JournalRecord> podFilter(String[] pod) {
    return pod == null ? RecordFilters.all() : RecordFilters.pod(pod[0], pod[1]);
  }

  static Predicate<JournalRecord> typeFilter(Set<String> types) {
    return RecordFilters.type(types);
  }

  /** {@code {"seq":..,"at":"..","type":"..","v":..,"pod":"ns/name"|null,"fact":{payload}}}. */
  static String jsonLine(JournalRecord r) {
    PodRef pod = RecordFilters.podOf(r);
    StringBuilder b = new StringBuilder(64 + r.payload().length);
    b.append("{\"seq\":").append(r.seq())
        .append(",\"at\":\"").append(r.at()).append('"')
        .append(",\"type\":").append(FactCodec.JSON.writeValueAsString(r.type()))
        .append(",\"v\":").append(r.version())
        .append(",\"pod\":").append(pod == null ? "null" : FactCodec.JSON.writeValueAsString(pod.key()))
        .append(",\"fact\":").append(new String(r.payload(), StandardCharsets.UTF_8))
        .append('}');
    return b.toString();
  }
}
