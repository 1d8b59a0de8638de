package io.vertlet.cli;

import io.vertlet.config.ConfigFiles;
import io.vertlet.config.ConfigLoader;
import io.vertlet.config.ConfigResult;
import io.vertlet.config.KubeletConfig;
import io.vertlet.config.KubeletFlags;
import io.vertlet.config.Kubeconfig;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code vertlet config validate|print-defaults|print-effective}: the configuration without running the agent. */
@Command(name = "config", description = "Check or print the kubelet configuration.",
    subcommands = {ConfigCommand.Validate.class, ConfigCommand.PrintDefaults.class,
        ConfigCommand.PrintEffective.class})
public final class ConfigCommand implements Runnable {

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Loads the configuration as the agent does and tells the operator what they need to know: every
   * warning, and every error when it is invalid. Shared by {@code run} and the config subcommands.
   */
  static ConfigResult loadAndReport(KubeletFlags flags, PrintWriter err) {
    ConfigResult r = ConfigLoader.load(flags);
    r.warnings().forEach(w -> err.println("warning: " + w));
    if (!r.valid()) {
      err.println("invalid configuration (" + r.errors().size() + (r.errors().size() == 1 ? " error" : " errors")
          + "):");
      r.errors().forEach(e -> err.println("  " + e));
      err.flush();
    }
    return r;
  }

  /** Exit 0 and "valid", or 1 and every error. */
  @Command(name = "validate", description = "Load --config, --config-dir and flags as the agent would; "
      + "report every error (exit 1) or say valid (exit 0). A given --kubeconfig is read too.")
  static final class Validate implements Callable<Integer> {
    @Mixin KubeletFlags flags;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ConfigResult r = loadAndReport(flags, err);
      if (!r.valid()) {
        return 1;
      }
      try {
        Kubeconfig.resolve(r.config()).ifPresent(k -> out.println("kubeconfig " + k.file()
            + (k.bootstrap() ? " (bootstrap)" : "") + ": server " + k.server() + ", user " + k.user()
            + " (" + k.authentication() + ")"));
      } catch (Kubeconfig.KubeconfigException e) {
        err.println("invalid configuration (1 error):");
        err.println("  " + e.getMessage());
        return 1;
      }
      out.println("valid" + (r.sources().isEmpty() ? " (flags and defaults only)" : ": " + r.sources()));
      return 0;
    }
  }

  /** YAML of every default. */
  @Command(name = "print-defaults", description = "Print the KubeletConfiguration with every default applied.")
  static final class PrintDefaults implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(ConfigFiles.toYaml(ConfigLoader.defaults().toMap()));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** YAML of the effective configuration, with the flag-only settings as a trailing comment. */
  @Command(name = "print-effective", description = "Print the effective KubeletConfiguration (file, drop-ins, "
      + "flags and defaults merged) as YAML; flag-only settings follow as comments.")
  static final class PrintEffective implements Callable<Integer> {
    @Mixin KubeletFlags flags;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ConfigResult r = loadAndReport(flags, err);
      if (!r.valid()) {
        return 1;
      }
      KubeletConfig c = r.config();
      out.print(ConfigFiles.toYaml(c.toMap()));
      out.println("# flag-only settings:");
      for (Map.Entry<String, Object> e : c.flags().toMap().entrySet()) {
        out.println("#   " + e.getKey() + ": " + e.getValue());
      }
      out.flush();
      return 0;
    }
  }
}
