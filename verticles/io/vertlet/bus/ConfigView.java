package io.vertlet.bus;

import java.util.Map;

/**
 * What {@code /configz} needs from the effective configuration: its fields as a JSON-ready map, named as in
 * {@code KubeletConfiguration}. The config verticle's reply on {@link Addresses#CONFIG_CURRENT} implements it.
 */
public interface ConfigView {
  Map<String, Object> toMap();
}
