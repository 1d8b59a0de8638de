package io.vertlet.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vertlet} command line: every way to run the agent or inspect what it left behind. */
@Command(
    name = "vertlet",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "An event-sourced Kubernetes node agent.",
    subcommands = {
        RunCommand.class,
        VersionCommand.class,
        ConfigCommand.class,
        JournalCommand.class,
        RuntimeCommand.class,
        io.vertlet.source.CheckManifestsCommand.class,
        BenchCommand.class,
        AotTrainCommand.class,
    })
public final class VertletCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(kubeletCompatible(args)));
  }

  /**
   * The argument list as the subcommands expect it. {@code vertlet --flag ...} (how a kubelet unit
   * calls the binary) means {@code vertlet run --flag ...}; a bare {@code vertlet run} means the
   * standalone default: {@code conf/standalone.yaml} from the installation and {@code ./var}.
   */
  static String[] kubeletCompatible(String[] args) {
    List<String> out = new ArrayList<>(List.of(args));
    if (!out.isEmpty() && out.get(0).startsWith("-") && !STANDARD_OPTIONS.contains(out.get(0))) {
      out.add(0, "run");
    }
    if (out.size() == 1 && out.get(0).equals("run")) {
      out.add("--config=" + home().resolve("conf").resolve("standalone.yaml"));
      out.add("--root-dir=var");
    }
    return out.toArray(String[]::new);
  }

  private static final Set<String> STANDARD_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  /** The installation: $VERTLET_HOME (set by the launcher), else the jar's parent's parent, else here. */
  static Path home() {
    String env = System.getenv("VERTLET_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    try {
      Path jar = Path.of(VertletCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (jar.toString().endsWith(".jar") && jar.getParent() != null && jar.getParent().getParent() != null
          && Files.isDirectory(jar.getParent().getParent().resolve("conf"))) {
        return jar.getParent().getParent();
      }
    } catch (Exception e) {
      // not from a jar on disk: fall back to the working directory
    }
    return Path.of("").toAbsolutePath();
  }

  /** The configured command line, shared by {@link #main} and the tests. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new VertletCommand());
    // Kubelet flags may repeat (a unit's flags, then an environment file's); the last one wins.
    cli.setOverwrittenOptionsAllowed(true);
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
