package io.vertlet.config;

import io.vertlet.events.GoDuration;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the effective {@link KubeletConfig} from flags, the {@code --config} file and the
 * {@code --config-dir} drop-ins, with today's upstream precedence: the file, then each drop-in
 * ({@code *.conf}, lexical order; objects and maps merge, lists and scalars replace), then flags
 * (a flag overrides the same field). Upstream defaults are applied last, then everything is validated.
 *
 * <p>Blocking (reads files): call it off the event loop.
 */
public final class ConfigLoader {

  /** Upstream's sandbox image default when --pod-infra-container-image is not given. */
  public static final String DEFAULT_POD_INFRA_IMAGE = "registry.k8s.io/pause:3.9";

  public static final Path DEFAULT_ROOT_DIR = Path.of("/var/lib/kubelet");

  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<Path> sources = new ArrayList<>();

  private ConfigLoader() {}

  /** Loads, merges, defaults and validates; never throws for a user's mistake. */
  public static ConfigResult load(KubeletFlags flags) {
    return new ConfigLoader().run(flags);
  }

  /** The configuration with nothing set: every upstream default (and vertlet's embedded runtime). */
  public static KubeletConfig defaults() {
    ConfigLoader loader = new ConfigLoader();
    Map<String, Object> typed = loader.normalize(new LinkedHashMap<>(), Set.of());
    applyDefaults(typed, Map.of());
    return new KubeletConfig(typed, new KubeletConfig.FlagSettings(hostName(), null, null, DEFAULT_ROOT_DIR,
        DEFAULT_ROOT_DIR.resolve("pki"), null, null, null, null, Map.of(), DEFAULT_POD_INFRA_IMAGE, null, null, null,
        null, false, false));
  }

  private ConfigResult run(KubeletFlags flags) {
    warnings.addAll(flags.deprecationWarnings());
    boolean strict = flags.strictConfig();
    Map<String, Object> merged = new LinkedHashMap<>();

    if (flags.config() != null) {
      mergeFile(merged, flags.config(), strict);
    }
    if (flags.configDir() != null) {
      for (Path dropIn : dropIns(flags.configDir())) {
        mergeFile(merged, dropIn, strict);
      }
    }
    Map<String, Object> overrides = flags.fieldOverrides(errors);
    Set<String> fromFlags = overrides.keySet();
    for (Map.Entry<String, Object> e : overrides.entrySet()) {
      if (e.getKey().equals("featureGates")) {
        // Upstream merges --feature-gates over the file's gates instead of replacing them.
        mergeInto(merged, Map.of("featureGates", e.getValue()), "");
      } else {
        setPath(merged, e.getKey(), e.getValue());
      }
    }

    Map<String, Object> explicit = new LinkedHashMap<>();
    Map<String, Object> typed = normalize(merged, fromFlags);
    explicit.putAll(typed);
    applyDefaults(typed, explicit);
    KubeletConfig.FlagSettings flagSettings = flagSettings(flags);
    errors.addAll(ConfigValidator.validate(typed));
    KubeletConfig config = errors.isEmpty() ? new KubeletConfig(typed, flagSettings) : null;
    return new ConfigResult(config, errors, warnings, sources);
  }

  // ---- files ----

  private List<Path> dropIns(Path dir) {
    if (!Files.isDirectory(dir)) {
      errors.add("--config-dir " + dir + ": " + (Files.exists(dir) ? "is not a directory" : "directory does not exist"));
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.conf")) {
      for (Path p : stream) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    } catch (IOException e) {
      errors.add("--config-dir " + dir + ": cannot list: " + e.getMessage());
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return files;
  }

  private void mergeFile(Map<String, Object> merged, Path file, boolean strict) {
    sources.add(file);
    Map<String, Object> doc;
    try {
      doc = ConfigFiles.read(file);
    } catch (ConfigFiles.UnreadableConfigException e) {
      errors.add(e.getMessage());
      return;
    }
    Object apiVersion = doc.remove("apiVersion");
    Object kind = doc.remove("kind");
    if (apiVersion == null) {
      errors.add(file + ": apiVersion is missing (expected \"" + ConfigSchema.API_VERSION + "\")");
    } else if (!ConfigSchema.API_VERSION.equals(apiVersion)) {
      errors.add(file + ": apiVersion: \"" + apiVersion + "\" is not \"" + ConfigSchema.API_VERSION + "\"");
    }
    if (kind == null) {
      errors.add(file + ": kind is missing (expected \"" + ConfigSchema.KIND + "\")");
    } else if (!ConfigSchema.KIND.equals(kind)) {
      errors.add(file + ": kind: \"" + kind + "\" is not \"" + ConfigSchema.KIND + "\"");
    }
    for (String unknown : unknownFields(doc, "")) {
      String msg = file + ": unknown field \"" + unknown + "\"" + hint(unknown);
      if (strict) {
        errors.add(msg);
      } else {
        warnings.add(msg + "; ignored");
      }
      removePath(doc, unknown);
    }
    resolveRelativePaths(doc, file);
    mergeInto(merged, doc, "");
  }

  private static String hint(String unknown) {
    return switch (unknown) {
      case "hostnameOverride" -> " (not a KubeletConfiguration v1beta1 field: it was in the pre-1.10 alpha "
          + "config; use --hostname-override)";
      case "podInfraContainerImage" -> " (use --pod-infra-container-image)";
      default -> "";
    };
  }

  /** Unknown keys as dotted paths; maps and opaque objects are not descended into. */
  @SuppressWarnings("unchecked")
  private static List<String> unknownFields(Map<String, Object> doc, String prefix) {
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, Object> e : doc.entrySet()) {
      String path = prefix + e.getKey();
      if (ConfigSchema.isField(path)) {
        continue;
      }
      if (ConfigSchema.STRUCTS.contains(path) && e.getValue() instanceof Map<?, ?> m) {
        unknown.addAll(unknownFields((Map<String, Object>) m, path + "."));
      } else if (!ConfigSchema.STRUCTS.contains(path) || e.getValue() != null) {
        unknown.add(path);
      }
    }
    return unknown;
  }

  /** Upstream resolves relative paths in a config file against the file's directory. */
  private static void resolveRelativePaths(Map<String, Object> doc, Path file) {
    Path dir = file.toAbsolutePath().getParent();
    for (String path : ConfigSchema.PATH_FIELDS) {
      Object v = getPath(doc, path);
      if (v instanceof String s && !s.isEmpty() && !Path.of(s).isAbsolute()) {
        setPath(doc, path, dir.resolve(s).normalize().toString());
      }
    }
  }

  // ---- raw tree helpers (JSON-like maps) ----

  /** Objects merge key by key; a field that is a map merges its entries; lists and scalars replace. */
  @SuppressWarnings("unchecked")
  private static void mergeInto(Map<String, Object> target, Map<String, Object> source, String prefix) {
    for (Map.Entry<String, Object> e : source.entrySet()) {
      String path = prefix + e.getKey();
      Object incoming = e.getValue();
      Object existing = target.get(e.getKey());
      ConfigField field = ConfigSchema.field(path);
      boolean struct = ConfigSchema.STRUCTS.contains(path);
      boolean mapField = field != null && switch (field.kind()) {
        case STRING_MAP, BOOL_MAP, STRING_LIST_MAP -> true;
        default -> false;
      };
      if ((struct || mapField) && existing instanceof Map<?, ?> em && incoming instanceof Map<?, ?> im) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) em);
        if (struct) {
          mergeInto(copy, (Map<String, Object>) im, path + ".");
        } else {
          copy.putAll((Map<String, Object>) im);
        }
        target.put(e.getKey(), copy);
      } else {
        target.put(e.getKey(), incoming);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Object getPath(Map<String, Object> root, String path) {
    Object at = root;
    for (String part : path.split("\\.")) {
      if (!(at instanceof Map<?, ?> m)) {
        return null;
      }
      at = ((Map<String, Object>) m).get(part);
    }
    return at;
  }

  @SuppressWarnings("unchecked")
  private static void setPath(Map<String, Object> root, String path, Object value) {
    String[] parts = path.split("\\.");
    Map<String, Object> at = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = at.get(parts[i]);
      if (!(next instanceof Map<?, ?>)) {
        next = new LinkedHashMap<String, Object>();
        at.put(parts[i], next);
      } else {
        next = new LinkedHashMap<>((Map<String, Object>) next);
        at.put(parts[i], next);
      }
      at = (Map<String, Object>) next;
    }
    at.put(parts[parts.length - 1], value);
  }

  @SuppressWarnings("unchecked")
  private static void removePath(Map<String, Object> root, String path) {
    String[] parts = path.split("\\.");
    Object at = root;
    for (int i = 0; i < parts.length - 1 && at instanceof Map<?, ?>; i++) {
      at = ((Map<String, Object>) at).get(parts[i]);
    }
    if (at instanceof Map<?, ?> m) {
      ((Map<String, Object>) m).remove(parts[parts.length - 1]);
    }
  }

  // ---- typing ----

  /** Converts every field's raw value to its Java type; type errors name the path (and the flag). */
  private Map<String, Object> normalize(Map<String, Object> merged, Set<String> fromFlags) {
    Map<String, Object> typed = new LinkedHashMap<>();
    for (ConfigField f : ConfigSchema.FIELDS) {
      Object raw = getPath(merged, f.path());
      if (raw == null) {
        typed.put(f.path(), null);
        continue;
      }
      String where = fromFlags.contains(f.path()) ? " (from " + f.flag() + ")" : "";
      try {
        typed.put(f.path(), convert(f, raw));
      } catch (IllegalArgumentException e) {
        errors.add(f.path() + ": " + ConfigValidator.show(raw) + " " + e.getMessage() + where);
        typed.put(f.path(), null);
      }
    }
    return typed;
  }

  @SuppressWarnings("unchecked")
  private static Object convert(ConfigField f, Object raw) {
    return switch (f.kind()) {
      case BOOL -> toBool(raw);
      case INT32 -> {
        long v = toLong(raw);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("is out of range for a 32-bit integer");
        }
        yield (int) v;
      }
      case INT64 -> toLong(raw);
      case FLOAT -> {
        if (raw instanceof Number n) {
          yield n.doubleValue();
        }
        try {
          yield Double.parseDouble(String.valueOf(raw).trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("must be a number");
        }
      }
      case STRING -> {
        if (!(raw instanceof String s)) {
          throw new IllegalArgumentException("must be a string");
        }
        yield s;
      }
      case DURATION -> {
        if (raw instanceof Number n && f.path().equals("logging.flushFrequency")) {
          yield Duration.ofNanos(n.longValue());
        }
        if (!(raw instanceof String s)) {
          throw new IllegalArgumentException("must be a duration string like \"10s\" or \"1m30s\"");
        }
        yield GoDuration.parse(s);
      }
      case QUANTITY -> {
        if (!(raw instanceof String) && !(raw instanceof Number)) {
          throw new IllegalArgumentException("is not a quantity");
        }
        yield Quantity.parse(String.valueOf(raw));
      }
      case STRING_LIST -> {
        List<String> out = new ArrayList<>();
        for (Object o : list(raw)) {
          if (!(o instanceof String s)) {
            throw new IllegalArgumentException("must be a list of strings");
          }
          out.add(s.trim());
        }
        yield List.copyOf(out);
      }
      case INT_LIST -> {
        List<Integer> out = new ArrayList<>();
        for (Object o : list(raw)) {
          out.add((int) toLong(o));
        }
        yield List.copyOf(out);
      }
      case STRING_MAP -> {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(raw).entrySet()) {
          if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?> || e.getValue() == null) {
            throw new IllegalArgumentException("must map names to strings");
          }
          out.put(e.getKey(), String.valueOf(e.getValue()));
        }
        yield Collections.unmodifiableMap(out);
      }
      case BOOL_MAP -> {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(raw).entrySet()) {
          out.put(e.getKey(), toBool(e.getValue()));
        }
        yield Collections.unmodifiableMap(out);
      }
      case STRING_LIST_MAP -> {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(raw).entrySet()) {
          out.put(e.getKey(), list(e.getValue()).stream().map(String::valueOf).toList());
        }
        yield Collections.unmodifiableMap(out);
      }
      case OBJECT_LIST -> {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(raw)) {
          out.add(Collections.unmodifiableMap(new LinkedHashMap<>(map(o))));
        }
        yield List.copyOf(out);
      }
      case OBJECT -> Collections.unmodifiableMap(new LinkedHashMap<>(map(raw)));
    };
  }

  private static boolean toBool(Object raw) {
    if (raw instanceof Boolean b) {
      return b;
    }
    if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("must be true or false");
  }

  private static long toLong(Object raw) {
    if (raw instanceof Integer || raw instanceof Long || raw instanceof Short) {
      return ((Number) raw).longValue();
    }
    try {
      BigDecimal d = raw instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(String.valueOf(raw).trim());
      return d.longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("must be an integer");
    }
  }

  private static List<?> list(Object raw) {
    if (!(raw instanceof List<?> l)) {
      throw new IllegalArgumentException("must be a list");
    }
    return l;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object raw) {
    if (!(raw instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("must be an object");
    }
    return (Map<String, Object>) m;
  }

  // ---- defaults ----

  /**
   * Upstream's defaulting: unset fields get their default, and fields upstream stores without a
   * pointer (where Go cannot tell "unset" from zero) get it for an explicit zero too.
   */
  static void applyDefaults(Map<String, Object> typed, Map<String, Object> explicit) {
    Object update = explicit.get("nodeStatusUpdateFrequency");
    Object report = typed.get("nodeStatusReportFrequency");
    if (report == null || Duration.ZERO.equals(report)) {
      // Upstream: when only the update frequency is set, reports follow it (backward compatibility).
      boolean updateSet = update instanceof Duration d && !d.isZero();
      typed.put("nodeStatusReportFrequency", updateSet ? update : Duration.ofMinutes(5));
    }
    if (typed.get("serializeImagePulls") == null) {
      Integer parallel = (Integer) typed.get("maxParallelImagePulls");
      typed.put("serializeImagePulls", parallel == null || parallel < 2);
    }
    @SuppressWarnings("unchecked")
    Map<String, String> hard = (Map<String, String>) typed.get("evictionHard");
    if (hard == null) {
      typed.put("evictionHard", ConfigSchema.DEFAULT_EVICTION_HARD);
    } else if (Boolean.TRUE.equals(typed.get("mergeDefaultEvictionSettings"))) {
      Map<String, String> m = new LinkedHashMap<>(ConfigSchema.DEFAULT_EVICTION_HARD);
      m.putAll(hard);
      typed.put("evictionHard", Collections.unmodifiableMap(m));
    }
    if (typed.get("podPidsLimit") instanceof Long l && l < 0) {
      typed.put("podPidsLimit", -1L);
    }
    for (ConfigField f : ConfigSchema.FIELDS) {
      Object v = typed.get(f.path());
      if (v == null || (f.zeroMeansDefault() && isZero(v))) {
        typed.put(f.path(), f.defaultValue());
      }
    }
  }

  private static boolean isZero(Object v) {
    return switch (v) {
      case Integer i -> i == 0;
      case Long l -> l == 0L;
      case Duration d -> d.isZero();
      case String s -> s.isEmpty();
      case Quantity q -> q.text().isEmpty();
      default -> false;
    };
  }

  // ---- flag-only settings ----

  private KubeletConfig.FlagSettings flagSettings(KubeletFlags flags) {
    String override = flags.hostnameOverride() == null ? null : flags.hostnameOverride().trim();
    String nodeName;
    if (override == null || override.isEmpty()) {
      nodeName = hostName();
    } else if (override.equals("0.0.0.0") || override.equals("::")) {
      nodeName = hostName();
      warnings.add("--hostname-override=" + override + " is an unspecified address, not a node name; upstream would "
          + "register a Node literally named \"" + override + "\" (every such node colliding), vertlet uses the host "
          + "name \"" + nodeName + "\" instead");
    } else {
      nodeName = override.toLowerCase(Locale.ROOT);
    }
    if (!isDnsSubdomain(nodeName)) {
      errors.add("node name \"" + nodeName + "\" (from " + (override == null ? "the host name" : "--hostname-override")
          + ") is not a valid DNS-1123 subdomain");
    }
    String nodeIp = flags.nodeIp();
    if (nodeIp != null) {
      for (String ip : nodeIp.split(",")) {
        if (!ConfigValidator.isIp(ip.trim())) {
          errors.add("--node-ip: \"" + ip.trim() + "\" is not an IP address");
        }
      }
    }
    Path rootDir = flags.rootDir() == null ? DEFAULT_ROOT_DIR : flags.rootDir();
    Path certDir = flags.certDir() == null ? rootDir.resolve("pki") : flags.certDir();
    Map<String, String> labels = flags.nodeLabels(errors);
    String infra = flags.podInfraContainerImage() == null || flags.podInfraContainerImage().isBlank()
        ? DEFAULT_POD_INFRA_IMAGE : flags.podInfraContainerImage();
    return new KubeletConfig.FlagSettings(nodeName, override, nodeIp, rootDir, certDir, flags.kubeconfig(),
        flags.bootstrapKubeconfig(), flags.config(), flags.configDir(), labels, infra, flags.cloudProvider(),
        flags.imageCredentialProviderConfig(), flags.imageCredentialProviderBinDir(), flags.lockFile(),
        flags.exitOnLockContention(), flags.strictConfig());
  }

  /** Like Go's os.Hostname: the kernel's host name, without a DNS lookup. */
  static String hostName() {
    try {
      Path proc = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(proc)) {
        String h = Files.readString(proc).trim();
        if (!h.isEmpty()) {
          return h.toLowerCase(Locale.ROOT);
        }
      }
    } catch (IOException ignored) {
      // fall through to the JDK's view
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim().toLowerCase(Locale.ROOT);
    }
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    } catch (IOException e) {
      return "localhost";
    }
  }

  static boolean isDnsSubdomain(String s) {
    return s.length() <= 253 && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  }

  /** Field paths in the schema, sorted, for messages. */
  static Set<String> fieldPaths() {
    Set<String> s = new TreeSet<>();
    ConfigSchema.FIELDS.forEach(f -> s.add(f.path()));
    return s;
  }
}
