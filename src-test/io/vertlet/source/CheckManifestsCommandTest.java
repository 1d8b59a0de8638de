package io.vertlet.source;

import io.vertlet.testing.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckManifestsCommandTest {

  @TempDir Path dir;



  @Test
  void theShippedExamplesPass() {
    CliRun run = CliRun.of("check-manifests", "--node-name", "laptop", "conf/manifests");
    assertEquals(0, run.status(), run.out());
    assertTrue(run.out().contains("default/hello-web-laptop"), run.out());
    assertEquals(3, run.out().lines().filter(l -> l.startsWith("ok ")).count(), run.out());
  }

  @Test
  void aRejectedManifestIsExplainedAndFailsTheCheck() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: b}]\n");
    Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: b}]\n");
    Files.writeString(dir.resolve("c.yaml"), "apiVersion: v1\nkind: Service\n");
    CliRun run = CliRun.of("check-manifests", "--node-name", "n", "--print", dir.toString());
    assertEquals(1, run.status(), run.out());
    assertTrue(run.out().contains("ok        " + dir.resolve("a.yaml") + ": default/a-n"), run.out());
    assertTrue(run.out().contains("rejected  " + dir.resolve("b.yaml") + ": metadata.name: Duplicate value"), run.out());
    assertTrue(run.out().contains("rejected  " + dir.resolve("c.yaml") + ": kind: Unsupported value: \"Service\""), run.out());
    assertTrue(run.out().contains("\"restartPolicy\" : \"Always\""), run.out());
  }

  @Test
  void noPathIsAUsageError() {
    assertEquals(2, CliRun.of("check-manifests").status());
  }
}
