package io.vertlet.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import tools.jackson.databind.json.JsonMapper;

/** Reads KubeletConfiguration documents (YAML or JSON) into JSON-like maps, and prints maps as YAML. */
public final class ConfigFiles {

  private ConfigFiles() {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Thrown with a message naming the file and what is wrong with it. */
  public static final class UnreadableConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableConfigException(String message) {
      super(message);
    }
  }

  /** Reads a YAML or JSON object; JSON when the first non-blank character is '{'. */
  public static Map<String, Object> read(Path file) throws UnreadableConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UnreadableConfigException(file + ": file does not exist");
    } catch (IOException e) {
      throw new UnreadableConfigException(file + ": cannot read: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /** Parses a YAML or JSON object; {@code name} is used in messages. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parse(String name, String text) throws UnreadableConfigException {
    Object doc;
    try {
      if (text.stripLeading().startsWith("{")) {
        doc = JSON.readValue(text, LinkedHashMap.class);
      } else {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        doc = new Yaml(new SafeConstructor(options)).load(text);
      }
    } catch (RuntimeException e) {
      throw new UnreadableConfigException(name + ": not valid YAML or JSON: " + firstLine(e.getMessage()));
    }
    if (doc == null) {
      return new LinkedHashMap<>();
    }
    if (!(doc instanceof Map<?, ?>)) {
      throw new UnreadableConfigException(name + ": not a YAML/JSON object but " + doc.getClass().getSimpleName());
    }
    return (Map<String, Object>) doc;
  }

  /** Block-style YAML of a JSON-like map, keys in map order. */
  public static String toYaml(Map<String, Object> map) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndicatorIndent(0);
    options.setIndent(2);
    return new Yaml(new Representer(options), options).dump(map);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "parse error";
    }
    return message.replace('\n', ' ').replaceAll("\\s+", " ").trim();
  }
}
