package io.vertlet.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices changes in the manifest folder within milliseconds so a rescan need not wait for the
 * next {@code fileCheckFrequency} tick. Cost: the JDK's inotify poller thread, plus one virtual
 * thread waiting for its events (no platform thread of its own while idle). Events within a short
 * quiet window (up to a cap) are coalesced into one rescan, so an editor's create+write+chmod burst, or a
 * renamed-in file, triggers one scan. The periodic scan stays the source of truth: a lost or
 * overflowed event only delays a change to the next tick.
 */
final class FolderWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);
  static final long QUIET_MILLIS = 25;
  /** However busy the folder, a rescan is triggered at most this long after the first event. */
  static final long MAX_DELAY_MILLIS = 100;

  private final Path folder;
  private final String onlyName;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread waiter;
  private volatile WatchKey key;

  /** @param onlyName when watching a single manifest file, its name; null for a whole folder */
  FolderWatcher(Path folder, String onlyName, Runnable onChange) throws IOException {
    this.folder = folder;
    this.onlyName = onlyName;
    this.onChange = onChange;
    this.service = FileSystems.getDefault().newWatchService();
    this.waiter = Thread.ofVirtual().name("vertlet-manifest-watch").unstarted(this::run);
  }

  void start() {
    ensureRegistered();
    waiter.start();
  }

  /**
   * Registers the folder if it exists and is not watched (it may appear after start, or be
   * replaced). Blocking: call from a worker thread (the verticle calls it after each scan).
   */
  void ensureRegistered() {
    WatchKey current = key;
    if (current != null && current.isValid()) {
      return;
    }
    if (folder == null || !Files.isDirectory(folder)) {
      return;
    }
    try {
      key = folder.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
    } catch (ClosedWatchServiceException closed) {
      // stopping
    } catch (IOException e) {
      LOG.warn("cannot watch {} for changes ({}); relying on periodic scans", folder, e.toString());
    }
  }

  private void run() {
    try {
      while (true) {
        WatchKey signalled = service.take();
        boolean relevant = relevant(signalled);
        // Coalesce a burst of events into one rescan, but never wait long: in a steady stream of
        // new files the first ones must not wait for the last.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);
        WatchKey more;
        while (System.nanoTime() < deadline && (more = service.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          relevant |= relevant(more);
        }
        if (relevant) {
          onChange.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException stopping) {
      // closed
    }
  }

  private boolean relevant(WatchKey k) {
    boolean relevant = false;
    for (WatchEvent<?> event : k.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        relevant = true;
      } else if (event.context() instanceof Path name) {
        // Every change in a watched folder counts, dot names included: a Kubernetes ConfigMap
        // volume publishes new content by swapping its "..data" symlink, and the manifests seen
        // through it change without an event of their own. A needless rescan costs a few reads.
        String n = name.toString();
        relevant |= onlyName == null || n.equals(onlyName) || n.startsWith("..");
      }
    }
    k.reset();
    return relevant;
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
    waiter.interrupt();
  }
}
