package io.vertlet.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A canonical JSON form (object keys sorted at every level) and the digests built on it, so that
 * a manifest's identity does not depend on key order, formatting, comments or the YAML/JSON choice.
 */
final class Canonical {

  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private Canonical() {}

  /** The object (raw maps/lists or a fabric8 model) as JSON with sorted keys. */
  static byte[] json(Object value) {
    // Going through a Map first makes model classes sort like plain maps (their own property
    // order would otherwise tie the digest to the fabric8 version's field order).
    Object tree = value instanceof Map<?, ?> ? value : MAPPER.convertValue(value, Map.class);
    return MAPPER.writeValueAsBytes(tree);
  }

  static String md5Hex(byte[]... parts) {
    return digest("MD5", parts);
  }

  static String sha256Hex(byte[]... parts) {
    return digest("SHA-256", parts);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String digest(String algorithm, byte[]... parts) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      for (byte[] part : parts) {
        md.update(part);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
  }
}
