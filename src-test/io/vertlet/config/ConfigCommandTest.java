package io.vertlet.config;

import io.vertlet.testing.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vertlet config ...} through the real command line: exit codes and output. */
class ConfigCommandTest {

  @TempDir Path dir;



  @Test
  void validateSaysValidForTheSeedConfig() throws Exception {
    Path f = Seeds.write(dir, "config.yaml", Seeds.text("004-config.yaml"));
    CliRun r = CliRun.of("config", "validate", "--config=" + f);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("valid"), r.out());
  }

  @Test
  void validatePrintsEveryErrorAndExitsOne() throws Exception {
    Path f = Seeds.write(dir, "bad.yaml", ConfigLoaderTest.HEADER + "maxPods: -1\nport: 0.5\nsyncFrequency: x\n");
    CliRun r = CliRun.of("config", "validate", "--config", f.toString(), "--read-only-port=70000");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("(4 errors)"), r.err());
    assertTrue(r.err().contains("maxPods: -1 must not be negative"), r.err());
    assertTrue(r.err().contains("port: 0.5 must be an integer"), r.err());
    assertTrue(r.err().contains("syncFrequency: \"x\""), r.err());
    assertTrue(r.err().contains("readOnlyPort: 70000"), r.err());
  }

  @Test
  void validateChecksAGivenKubeconfig() throws Exception {
    Path missing = dir.resolve("kubelet.conf");
    CliRun r = CliRun.of("config", "validate", "--kubeconfig=" + missing);
    assertEquals(1, r.status());
    assertTrue(r.err().contains("--kubeconfig " + missing + ": file does not exist"), r.err());
  }

  @Test
  void removedFlagsWarnButValidate() {
    CliRun r = CliRun.of("config", "validate", "--allow-privileged=true", "--network-plugin=cni");
    assertEquals(0, r.status(), r.err());
    assertEquals(2, r.err().lines().filter(l -> l.startsWith("warning: flag --")).count(), r.err());
  }

  @Test
  void printDefaultsIsAValidConfigOfDefaults() throws Exception {
    CliRun r = CliRun.of("config", "print-defaults");
    assertEquals(0, r.status());
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
    CliRun r = CliRun.of("config", "print-effective", "--config=" + f, "--fail-swap-on=false", "--hostname-override=node-x");
    assertEquals(0, r.status(), r.err());
    Map<String, Object> doc = ConfigFiles.parse("effective", r.out());
    assertEquals(20, doc.get("maxPods"));
    assertEquals(false, doc.get("failSwapOn"));
    assertEquals("20s", doc.get("fileCheckFrequency"));
    assertTrue(r.out().contains("#   nodeName: node-x"), r.out());
  }

  @Test
  void unknownFlagIsAUsageError() {
    assertEquals(2, CliRun.of("config", "validate", "--no-such-flag=1").status());
  }
}
