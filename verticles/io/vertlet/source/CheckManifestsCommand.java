package io.vertlet.source;

import io.vertlet.events.SourceFact;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code vertlet check-manifests PATH...}: what the agent would make of a manifest folder or file,
 * without an agent: the same reader, defaults, validation and duplicate rules. Exit status 1 when
 * any manifest would be rejected.
 */
@Command(name = "check-manifests",
    description = "Check static pod manifests (a folder or files) as the agent would read them.")
public final class CheckManifestsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "A manifest folder (like staticPodPath) or file.")
  List<Path> paths;

  @Option(names = "--node-name", paramLabel = "NAME",
      description = "Node name used for pod names and UIDs (default: this host's name, lower case).")
  String nodeName;

  @Option(names = "--print", description = "Print each accepted pod, completed with the defaults, as JSON.")
  boolean print;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String node = nodeName != null ? nodeName : InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    int maxBytes = ManifestSourceOptions.DEFAULT_MAX_MANIFEST_BYTES;
    ManifestParser parser = new ManifestParser(maxBytes, node);
    int rejected = 0;
    for (Path path : paths) {
      StaticPodReconciler reconciler = new StaticPodReconciler(java.util.Map.of());
      List<OriginOutcome> outcomes = new ManifestFolderReader(path, maxBytes, parser).scan();
      if (outcomes.isEmpty()) {
        out.println("no manifests in " + path.toAbsolutePath().normalize());
      }
      for (StaticPodReconciler.Planned planned : reconciler.reconcile("file", outcomes)) {
        switch (planned.fact()) {
          case SourceFact.PodAdded f -> {
            out.println("ok        " + f.origin() + ": " + f.pod());
            if (print) {
              out.println(Canonical.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(f.spec()));
            }
          }
          case SourceFact.ManifestRejected f -> {
            out.println("rejected  " + f.origin() + ": " + f.reason());
            rejected++;
          }
          default -> { }
        }
      }
    }
    out.flush();
    return rejected == 0 ? 0 : 1;
  }
}
