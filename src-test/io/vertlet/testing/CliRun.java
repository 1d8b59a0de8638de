package io.vertlet.testing;

import io.vertlet.cli.VertletCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** One run of the real {@code vertlet} command line in this JVM: its exit status and what it printed. */
public record CliRun(int status, String out, String err) {

  public static CliRun of(String... args) {
    CommandLine cli = VertletCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /** Standard output, line by line (none when it printed nothing). */
  public List<String> lines() {
    return out.isBlank() ? List.of() : List.of(out.split("\n"));
  }
}
