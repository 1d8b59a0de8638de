package io.vertlet.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link ConfigLoader#load} found: the effective config (null when invalid), every error (each
 * naming its field path or file and the bad value), warnings (unknown fields, removed flags), and the
 * files read, in merge order.
 */
public record ConfigResult(KubeletConfig config, List<String> errors, List<String> warnings, List<Path> sources) {

  public ConfigResult {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    sources = List.copyOf(sources);
  }

  public boolean valid() {
    return config != null && errors.isEmpty();
  }

  /** A short name for where the configuration came from: the config file, or "flags". */
  public String sourceName() {
    return sources.isEmpty() ? "flags" : sources.get(0).toString();
  }
}
