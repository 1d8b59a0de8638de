package io.vertlet.source;

import io.fabric8.kubernetes.api.model.Pod;
import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.SourceFact;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static pod sources: the manifest folder (or file) {@code staticPodPath} and the optional
 * {@code staticPodURL}. Each scan reads and parses on a worker thread, then, on this verticle's
 * event loop, reconciles what the origins hold against what was announced and appends the
 * resulting {@link SourceFact}s to the journal ({@link Addresses#JOURNAL_APPEND}, request/reply,
 * sent together in order). Scans of one source never overlap; requests arriving during a scan
 * coalesce into one more scan.
 *
 * <p>The verticle's start completes after the first scan of the folder has been journaled, so once
 * it is deployed the journal reflects the manifests present at start (the URL is fetched in the
 * background: a slow server must not hold up the agent).
 */
public final class ManifestSourceVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestSourceVerticle.class);

  private final ManifestSourceOptions options;
  private StaticPodReconciler reconciler;
  private ManifestParser parser;
  private ManifestFolderReader folder;
  private FolderWatcher watcher;
  private ManifestUrlFetcher fetcher;
  private Lane fileLane;
  private Lane urlLane;
  private long fileTimer = -1;
  private long urlTimer = -1;
  private boolean urlFailing;
  private boolean journalFailing;
  private volatile OriginOutcome lastUrlOutcome;
  private volatile boolean stopped;

  public ManifestSourceVerticle(ManifestSourceOptions options) {
    this.options = options;
  }

  @Override
  public Future<?> start() {
    LocalCodec.registerAll(vertx);
    parser = new ManifestParser(options.maxManifestBytes(), options.nodeName());
    var context = vertx.getOrCreateContext();
    // Digests of known pods, stat calls and the watcher's registration are blocking work.
    Future<Void> ready = vertx.executeBlocking(() -> {
      reconciler = new StaticPodReconciler(options.knownPods());
      if (options.fileSourceEnabled()) {
        folder = new ManifestFolderReader(Path.of(options.staticPodPath()), options.maxManifestBytes(), parser);
        watcher = startWatcher(() -> context.runOnContext(v -> {
          if (fileLane != null) { // events before the first scan are covered by it
            fileLane.request();
          }
        }));
      }
      return null;
    });
    return ready.compose(v -> {
      Future<Void> first;
      if (folder != null) {
        fileLane = new Lane(this::scanFolder);
        first = fileLane.request();
        fileTimer = vertx.setPeriodic(options.fileCheckFrequency().toMillis(), id -> fileLane.request());
        LOG.info("watching static pod manifests at {} (every {}s{})", folder.path(),
            options.fileCheckFrequency().toMillis() / 1000.0, watcher != null ? " and on change" : "");
      } else {
        first = append(reconciler.reconcile("file", List.of()));
      }
      if (options.urlSourceEnabled()) {
        fetcher = new ManifestUrlFetcher(vertx, options.staticPodURL(), options.staticPodURLHeader(),
            options.maxManifestBytes());
        urlLane = new Lane(this::fetchUrl);
        urlLane.request();
        urlTimer = vertx.setPeriodic(options.httpCheckFrequency().toMillis(), id -> urlLane.request());
        LOG.info("fetching static pod manifests from {} every {}s", options.staticPodURL(),
            options.httpCheckFrequency().toMillis() / 1000.0);
      } else {
        first = first.compose(x -> append(reconciler.reconcile("http", List.of())));
      }
      return first;
    });
  }

  /** Stops looking and waits for a scan in flight, so nothing is journaled after undeployment. */
  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(fileTimer);
    vertx.cancelTimer(urlTimer);
    if (watcher != null) {
      watcher.close();
    }
    Future<Void> fileIdle = fileLane == null ? Future.succeededFuture() : fileLane.idle();
    Future<Void> urlIdle = urlLane == null ? Future.succeededFuture() : urlLane.idle();
    return Future.join(fileIdle, urlIdle).eventually(() -> {
      if (fetcher != null) {
        fetcher.close();
      }
      return Future.succeededFuture();
    });
  }

  /** Blocking (stat, inotify registration); null when disabled or unavailable. */
  private FolderWatcher startWatcher(Runnable onChange) {
    if (!options.watchFiles()) {
      return null;
    }
    Path path = folder.path();
    boolean single = Files.isRegularFile(path);
    try {
      FolderWatcher w = new FolderWatcher(single ? path.getParent() : path,
          single ? path.getFileName().toString() : null, onChange);
      w.start();
      return w;
    } catch (IOException | RuntimeException e) {
      LOG.warn("no file watcher for {} ({}); changes are seen on the periodic scan", path, e.toString());
      return null;
    }
  }

  private Future<Void> scanFolder() {
    return vertx.executeBlocking(() -> {
      List<OriginOutcome> outcomes = folder.scan();
      if (watcher != null) {
        watcher.ensureRegistered();
      }
      return outcomes;
    }).compose(outcomes -> append(reconciler.reconcile("file", outcomes)));
  }

  private Future<Void> fetchUrl() {
    String url = options.staticPodURL();
    return fetcher.fetch().compose(fetched -> {
      if (fetched.body() == null && !fetched.tooLarge()) {
        if (!urlFailing) {
          LOG.warn("static pod URL {} failed: {}; keeping its pods", url, fetched.failure());
        }
        urlFailing = true;
        return Future.succeededFuture(new OriginOutcome.Unreachable(url, fetched.failure()));
      }
      if (urlFailing) {
        LOG.info("static pod URL {} answers again", url);
        urlFailing = false;
      }
      if (fetched.tooLarge()) {
        return Future.succeededFuture(new OriginOutcome.Rejected(url, "too-large", fetched.failure()));
      }
      byte[] bytes = fetched.body().getBytes();
      return vertx.executeBlocking(() -> parseUrlBody(url, bytes));
    }).compose(outcome -> append(reconciler.reconcile("http", List.of(outcome))));
  }

  /** Worker thread, one fetch at a time: the same body as last time is not parsed again. */
  private OriginOutcome parseUrlBody(String url, byte[] bytes) {
    String key = Canonical.sha256Hex(bytes);
    OriginOutcome last = lastUrlOutcome;
    if (last != null && key.equals(contentKey(last))) {
      return last;
    }
    lastUrlOutcome = parseUrlBodyUncached(url, key, bytes);
    return lastUrlOutcome;
  }

  private static String contentKey(OriginOutcome outcome) {
    return switch (outcome) {
      case OriginOutcome.Parsed p -> p.contentKey();
      case OriginOutcome.Rejected r -> r.contentKey();
      case OriginOutcome.Unreachable u -> null;
    };
  }

  private OriginOutcome parseUrlBodyUncached(String url, String key, byte[] bytes) {
    try {
      List<Pod> pods = parser.parse(bytes, "http", url);
      return OriginOutcome.Parsed.of(url, key, pods, Instant.now());
    } catch (ManifestException e) {
      return new OriginOutcome.Rejected(url, key, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("unexpected failure parsing the answer of {}", url, e);
      return new OriginOutcome.Rejected(url, key, "cannot parse: " + e);
    }
  }

  /**
   * Appends the planned facts, all sent at once in order (the local bus keeps a sender's order),
   * so that a burst of pods shares the journal's group commit instead of waiting for one fsync
   * each. Each fact folds into the announced state when its own reply arrives; one the journal
   * did not take is planned again by the next scan.
   */
  private Future<Void> append(List<StaticPodReconciler.Planned> plan) {
    if (plan.isEmpty() || stopped) {
      return Future.succeededFuture();
    }
    List<Future<Void>> replies = new ArrayList<>(plan.size());
    for (StaticPodReconciler.Planned planned : plan) {
      replies.add(vertx.eventBus().request(Addresses.JOURNAL_APPEND, planned.fact()).map(reply -> {
        planned.commit();
        log(planned.fact());
        return null;
      }));
    }
    return Future.join(replies).<Void>map(v -> {
      if (journalFailing) {
        LOG.info("the journal takes static pod facts again");
        journalFailing = false;
      }
      return null;
    }).recover(e -> {
      if (!stopped && !journalFailing) {
        long failed = replies.stream().filter(Future::failed).count();
        LOG.warn("journal did not take {} of {} static pod facts ({}); retrying on each scan", failed,
            plan.size(), e.getMessage());
        journalFailing = true;
      }
      return Future.succeededFuture();
    });
  }

  private static void log(SourceFact fact) {
    switch (fact) {
      case SourceFact.PodAdded f -> LOG.info("static pod {} added from {}", f.pod(), f.origin());
      case SourceFact.PodUpdated f -> LOG.info("static pod {} updated from {}", f.pod(), f.origin());
      case SourceFact.PodRemoved f -> LOG.info("static pod {} removed: {}", f.pod(), f.reason());
      case SourceFact.ManifestRejected f -> LOG.warn("manifest {} rejected: {}", f.origin(), f.reason());
    }
  }

  /** Runs one scan at a time; requests during a scan coalesce into a single follow-up scan. */
  private final class Lane {
    private final Supplier<Future<Void>> scan;
    private boolean running;
    private Promise<Void> next;
    private Future<Void> current = Future.succeededFuture();

    Lane(Supplier<Future<Void>> scan) {
      this.scan = scan;
    }

    /** Completes when a scan that started after this request has finished. */
    Future<Void> request() {
      if (stopped) {
        return Future.succeededFuture();
      }
      if (running) {
        if (next == null) {
          next = Promise.promise();
        }
        return next.future();
      }
      running = true;
      Promise<Void> done = Promise.promise();
      current = done.future();
      Future<Void> run;
      try {
        run = scan.get();
      } catch (RuntimeException e) {
        run = Future.failedFuture(e);
      }
      run.onComplete(ar -> {
        if (ar.failed() && !stopped) {
          LOG.error("static pod scan failed", ar.cause());
        }
        running = false;
        done.complete();
        Promise<Void> waiting = next;
        next = null;
        if (waiting != null) {
          request().onComplete(waiting);
        }
      });
      return done.future();
    }

    /** Completes when the scan in flight, if any, has finished. */
    Future<Void> idle() {
      return current;
    }
  }
}
