package io.vertlet.source;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertlet.bus.Addresses;
import io.vertlet.bus.LocalCodec;
import io.vertlet.events.Committed;
import io.vertlet.events.Fact;
import io.vertlet.events.SourceFact;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Stands in for the journal: records every appended fact and replies with its Committed. */
final class JournalRecorder {

  private final List<Fact> facts = new CopyOnWriteArrayList<>();
  private final AtomicLong seq = new AtomicLong();
  private final MessageConsumer<Fact> consumer;

  JournalRecorder(Vertx vertx) {
    LocalCodec.registerAll(vertx);
    consumer = vertx.eventBus().consumer(Addresses.JOURNAL_APPEND, message -> {
      facts.add(message.body());
      message.reply(new Committed(seq.incrementAndGet(), Instant.now(), message.body()));
    });
  }

  List<Fact> facts() {
    return List.copyOf(facts);
  }

  int size() {
    return facts.size();
  }

  List<Fact> since(int index) {
    List<Fact> all = facts();
    return all.subList(Math.min(index, all.size()), all.size());
  }

  <T extends SourceFact> List<T> all(Class<T> type) {
    return facts().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Waits (generously, the machine is shared) until a fact after {@code from} matches. */
  <T extends SourceFact> T await(int from, Class<T> type, Predicate<T> match, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (Fact f : since(from)) {
        if (type.isInstance(f) && match.test(type.cast(f))) {
          return type.cast(f);
        }
      }
      sleep(10);
    }
    fail("no " + type.getSimpleName() + " matching within " + within + "; facts since " + from + ": " + since(from));
    return null;
  }

  <T extends SourceFact> T await(int from, Class<T> type, Predicate<T> match) {
    return await(from, type, match, Duration.ofSeconds(20));
  }

  void close() {
    consumer.unregister();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
