package io.vertlet.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the seed excerpts in src-test-resources/seeds and turns them into files and arguments. */
final class Seeds {

  private Seeds() {}

  static String text(String name) {
    try (InputStream in = Seeds.class.getResourceAsStream("/seeds/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing seed resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path write(Path dir, String fileName, String text) throws IOException {
    Path p = dir.resolve(fileName);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  /**
   * The arguments of the unit's ExecStart after the binary, with $VARS expanded from the environment
   * file the way systemd does (an unquoted $VAR splits on whitespace, an empty one vanishes).
   */
  static List<String> execStartArgs(String unit, String envFile) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : envFile.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replaceAll("^\"|\"$", ""));
      }
    }
    String joined = unit.replace("\\\n", " ");
    String exec = joined.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
        .substring("ExecStart=".length());
    List<String> args = new ArrayList<>();
    String[] words = exec.trim().split("\\s+");
    for (int i = 1; i < words.length; i++) {
      String w = words[i];
      if (w.startsWith("$")) {
        String value = env.getOrDefault(w.substring(1), "");
        for (String part : value.split("\\s+")) {
          if (!part.isEmpty()) {
            args.add(part);
          }
        }
      } else {
        args.add(w);
      }
    }
    return args;
  }
}
