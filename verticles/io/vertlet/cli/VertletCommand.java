package io.vertlet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vertlet} command line: every way to run the agent or inspect what it left behind. */
@Command(
    name = "vertlet",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "An event-sourced Kubernetes node agent.",
    subcommands = {
        VersionCommand.class,
        RuntimeCommand.class,
        BenchCommand.class,
    })
public final class VertletCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, shared by {@link #main} and the tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VertletCommand());
    // One clear line and status 2 for a mistyped flag or subcommand, instead of a page of usage.
    cli.setParameterExceptionHandler((ex, args) -> {
      CommandLine where = ex.getCommandLine();
      where.getErr().println("vertlet: " + ex.getMessage() + " (see '" + where.getCommandSpec().qualifiedName()
          + " --help')");
      return CommandLine.ExitCode.USAGE;
    });
    return cli;
  }
}
