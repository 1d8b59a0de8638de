package io.vertlet.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.ConfigFact;
import io.vertlet.events.Fact;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the effective configuration while the agent runs. Watches the {@code --config} file and the
 * {@code --config-dir} drop-ins (a content fingerprint taken on a worker every scan period), and on a
 * change reloads them with the same flags:
 * <ul>
 *   <li>invalid: {@code ConfigRejected} with every error, the last-known-good config stays, and the
 *       gauge {@code kubelet_node_config_error} is 1 until a valid config arrives;</li>
 *   <li>valid: live fields are applied ({@code ConfigApplied} with the changed field paths, then the new
 *       {@link KubeletConfig} is published on {@link Addresses#CONFIG_EFFECTIVE}); fields that need a
 *       restart are not applied and are journaled as {@code ConfigRequiresRestart}.</li>
 * </ul>
 * Answers {@link Addresses#CONFIG_CURRENT} with the config in force. At start it journals the initial
 * {@code ConfigApplied} (every field) and {@code ConfigWarned} if loading warned.
 */
public final class ConfigWatchVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigWatchVerticle.class);

  /** How often the files are fingerprinted unless told otherwise. */
  public static final Duration DEFAULT_SCAN_PERIOD = Duration.ofSeconds(2);

  public static final String ERROR_GAUGE = "kubelet_node_config_error";

  private final KubeletFlags flags;
  private final MeterRegistry registry;
  private final Duration scanPeriod;
  private final AtomicInteger configError = new AtomicInteger();

  private KubeletConfig current;
  private String fingerprint;
  private List<String> lastWarnings = List.of();
  private boolean scanning;
  private long timer = -1;
  private Gauge gauge;
  private MessageConsumer<Object> currentConsumer;
  private Future<Void> journalTail = Future.succeededFuture();

  public ConfigWatchVerticle(KubeletFlags flags, KubeletConfig initial, MeterRegistry registry) {
    this(flags, initial, registry, DEFAULT_SCAN_PERIOD);
  }

  public ConfigWatchVerticle(KubeletFlags flags, KubeletConfig initial, MeterRegistry registry, Duration scanPeriod) {
    this.flags = Objects.requireNonNull(flags);
    this.current = Objects.requireNonNull(initial);
    this.registry = Objects.requireNonNull(registry);
    this.scanPeriod = scanPeriod;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx, KubeletConfig.class);
    gauge = Gauge.builder(ERROR_GAUGE, configError, AtomicInteger::get)
        .description("1 when the last configuration change was rejected and the last-known-good one is in force")
        .register(registry);
    currentConsumer = vertx.eventBus().consumer(Addresses.CONFIG_CURRENT, msg -> msg.reply(current));
    return vertx.executeBlocking(() -> snapshot(null)).map(snap -> {
      String source = sourceName();
      journal(new ConfigFact.ConfigApplied(source, allFieldPaths(), current.toMap()));
      fingerprint = snap.fingerprint();
      if (!snap.result().warnings().isEmpty()) {
        lastWarnings = snap.result().warnings();
        journal(new ConfigFact.ConfigWarned(source, lastWarnings));
      }
      // The files may have changed between the caller's load and now: treat that as a first change.
      handle(snap.result());
      if (flags.config() != null || flags.configDir() != null) {
        timer = vertx.setPeriodic(scanPeriod.toMillis(), id -> scan());
      }
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (gauge != null) {
      registry.remove(gauge);
    }
    return currentConsumer == null ? Future.succeededFuture() : currentConsumer.unregister();
  }

  /** The config in force now (for tests and the deploying code; other verticles ask CONFIG_CURRENT). */
  KubeletConfig current() {
    return current;
  }

  private void scan() {
    if (scanning) {
      return;
    }
    scanning = true;
    String known = fingerprint;
    vertx.executeBlocking(() -> snapshot(known)).onComplete(ar -> {
      scanning = false;
      if (ar.failed()) {
        LOG.warn("config watch: cannot scan {}: {}", sourceName(), ar.cause().toString());
        return;
      }
      Snapshot snap = ar.result();
      if (snap == null) {
        return;
      }
      fingerprint = snap.fingerprint();
      handle(snap.result());
    });
  }

  /** On a worker: the files' fingerprint, and a fresh load when it differs from {@code known}. */
  private Snapshot snapshot(String known) {
    String now = fingerprint();
    if (known != null && known.equals(now)) {
      return null;
    }
    return new Snapshot(now, ConfigLoader.load(flags));
  }

  private void handle(ConfigResult result) {
    String source = result.sourceName();
    if (!result.valid()) {
      configError.set(1);
      LOG.warn("configuration change in {} rejected, keeping the last valid one: {}", source,
          String.join("; ", result.errors()));
      journal(new ConfigFact.ConfigRejected(source, result.errors()));
      return;
    }
    configError.set(0);
    if (!result.warnings().isEmpty() && !result.warnings().equals(lastWarnings)) {
      journal(new ConfigFact.ConfigWarned(source, result.warnings()));
    }
    lastWarnings = result.warnings();
    KubeletConfig next = result.config();
    List<String> changed = current.diff(next);
    if (changed.isEmpty()) {
      return;
    }
    List<String> live = new ArrayList<>();
    List<String> restart = new ArrayList<>();
    for (String path : changed) {
      (ConfigSchema.field(path).live() ? live : restart).add(path);
    }
    if (!restart.isEmpty()) {
      LOG.warn("configuration change in {} needs a restart to take effect (not applied): {}", source, restart);
      journal(new ConfigFact.ConfigRequiresRestart(source, restart));
    }
    if (!live.isEmpty()) {
      current = current.withFieldsFrom(next, live);
      KubeletConfig applied = current;
      LOG.info("configuration change in {} applied: {}", source, live);
      journal(new ConfigFact.ConfigApplied(source, live, applied.toMap()))
          .onComplete(ar -> vertx.eventBus().publish(Addresses.CONFIG_EFFECTIVE, applied));
    }
  }

  /** Appends facts one after another, in order; a failed append is logged, never stops the watch. */
  private Future<Void> journal(Fact fact) {
    Future<Void> appended = journalTail.transform(ignored -> vertx.eventBus().request(Addresses.JOURNAL_APPEND, fact)
        .<Void>mapEmpty()
        .onFailure(e -> LOG.warn("config watch: journal append of {} failed: {}", fact.type(), e.toString())));
    journalTail = appended.otherwiseEmpty();
    return appended;
  }

  private String sourceName() {
    return flags.config() != null ? flags.config().toString() : "flags";
  }

  private static List<String> allFieldPaths() {
    return ConfigSchema.FIELDS.stream().map(ConfigField::path).toList();
  }

  /** SHA-256 over the config file and every drop-in (name and bytes); "missing" marks absent files. */
  private String fingerprint() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      if (flags.config() != null) {
        add(digest, flags.config());
      }
      Path dir = flags.configDir();
      if (dir != null && Files.isDirectory(dir)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.conf")) {
          stream.forEach(files::add);
        }
        files.sort(null);
        for (Path p : files) {
          digest.update(p.getFileName().toString().getBytes());
          add(digest, p);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException | IOException e) {
      // Unreadable now: a distinct fingerprint makes the next load report the problem.
      return "unreadable:" + e;
    }
  }

  private static void add(MessageDigest digest, Path file) throws IOException {
    try {
      digest.update(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      digest.update("missing".getBytes());
    }
  }

  private record Snapshot(String fingerprint, ConfigResult result) {}

  @Override
  public String toString() {
    return "ConfigWatchVerticle[" + sourceName() + ", live fields: "
        + ConfigSchema.FIELDS.stream().filter(ConfigField::live).map(ConfigField::path).collect(Collectors.joining(","))
        + "]";
  }
}
