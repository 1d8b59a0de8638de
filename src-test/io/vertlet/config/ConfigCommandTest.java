package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertlet.cli.VertletCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code vertlet config ...} through the real command line: exit codes and output. */
class ConfigCommandTest {

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = VertletCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void validateSaysValidForTheSeedConfig() throws Exception {
    Path f = Seeds.write(dir, "config.yaml", Seeds.text("004-config.yaml"));
    Run r = run("config", "validate", "--config=" + f);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("valid"), r.out());
  }

  @Test
  void validatePrintsEveryErrorAndExitsOne() throws Exception {
    Path f = Seeds.write(dir, "bad.yaml", ConfigLoaderTest.HEADER + "maxPods: -1\nport: 0.5\nsyncFrequency: x\n");
    Run r = run("config", "validate", "--config", f.toString(), "--read-only-port=70000");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("(4 errors)"), r.err());
    assertTrue(r.err().contains("maxPods: -1 must not be negative"), r.err());
    assertTrue(r.err().contains("port: 0.5 must be an integer"), r.err());
    assertTrue(r.err().contains("syncFrequency: \"x\""), r.err());
    assertTrue(r.err().contains("readOnlyPort: 70000"), r.err());
  }

  @Test
  void validateChecksAGivenKubeconfig() throws Exception {
    Path missing = dir.resolve("kubelet.conf");
    Run r = run("config", "validate", "--kubeconfig=" + missing);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--kubeconfig " + missing + ": file does not exist"), r.err());
  }

  @Test
  void removedFlagsWarnButValidate() {
    Run r = run("config", "validate", "--allow-privileged=true", "--network-plugin=cni");
    assertEquals(0, r.code(), r.err());
    assertEquals(2, r.err().lines().filter(l -> l.startsWith("warning: flag --")).count(), r.err());
  }

  @Test
  void printDefaultsIsAValidConfigOfDefaults() throws Exception {
    Run r = run("config", "print-defaults");
    assertEquals(0, r.code());
    Map<String, Object> doc = ConfigFiles.parse("defaults", r.out());
    assertEquals("KubeletConfiguration", doc.get("kind"));
    assertEquals(110, doc.get("maxPods"));
    assertEquals("1m0s", doc.get("syncFrequency"));
    // What print-defaults prints loads back to the same configuration.
    Path f = Seeds.write(dir, "defaults.yaml", r.out());
    ConfigResult back = ConfigLoader.load(KubeletFlags.parse("--config=" + f));
    assertEquals(java.util.List.of(), back.errors());
    assertEquals(java.util.List.of(), back.warnings());
    assertEquals(ConfigLoader.defaults().values(), back.config().values());
  }

  @Test
  void printEffectiveShowsFileFlagsAndDefaultsMerged() throws Exception {
    Path f = Seeds.write(dir, "k.yaml", ConfigLoaderTest.HEADER + "maxPods: 20\n");
    Run r = run("config", "print-effective", "--config=" + f, "--fail-swap-on=false", "--hostname-override=node-x");
    assertEquals(0, r.code(), r.err());
    Map<String, Object> doc = ConfigFiles.parse("effective", r.out());
    assertEquals(20, doc.get("maxPods"));
    assertEquals(false, doc.get("failSwapOn"));
    assertEquals("20s", doc.get("fileCheckFrequency"));
    assertTrue(r.out().contains("#   nodeName: node-x"), r.out());
  }

  @Test
  void unknownFlagIsAUsageError() {
    assertEquals(2, run("config", "validate", "--no-such-flag=1").code());
  }
}
