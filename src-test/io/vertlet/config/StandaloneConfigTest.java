package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** conf/standalone.yaml, the configuration `./vertlet run` starts with, is valid and says what it means. */
class StandaloneConfigTest {

  @Test
  void standaloneConfigIsValidLocalAndOpen() {
    Path file = Path.of("conf/standalone.yaml");
    ConfigResult r = ConfigLoader.load(KubeletFlags.parse("--config=" + file));
    assertEquals(List.of(), r.errors());
    assertEquals(List.of(), r.warnings());
    KubeletConfig c = r.config();
    assertEquals(file.toAbsolutePath().getParent().resolve("manifests").normalize().toString(), c.staticPodPath());
    assertEquals(Duration.ofSeconds(1), c.fileCheckFrequency());
    assertEquals("127.0.0.1", c.address());
    assertEquals(10250, c.port());
    assertEquals(10255, c.readOnlyPort());
    assertEquals("127.0.0.1", c.healthzBindAddress());
    assertTrue(c.authentication().anonymous().enabled());
    assertFalse(c.authentication().webhook().enabled());
    assertEquals("AlwaysAllow", c.authorization().mode());
    assertFalse(c.failSwapOn());
    assertTrue(c.embeddedRuntime());
  }
}
