package io.vertlet.http;

import io.vertlet.bus.Addresses;
import io.vertlet.journal.JournalPage;
import io.vertlet.journal.JournalReadRequest;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /journal?since=SEQ&limit=N}: up to N committed facts with a sequence number of SEQ or more, read by
 * the journal over {@link Addresses#JOURNAL_READ}, and {@code next}, the {@code since} to ask for next.
 */
final class JournalHandler {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final Vertx vertx;
  private final Duration timeout;

  JournalHandler(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  void handle(RoutingContext ctx) {
    long since;
    int limit;
    try {
      since = longParam(ctx, "since", 0, 0, Long.MAX_VALUE);
      limit = (int) longParam(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    } catch (BadParameter bad) {
      Routes.text(ctx, 400, bad.getMessage());
      return;
    }
    vertx.eventBus().<JournalPage>request(Addresses.JOURNAL_READ, new JournalReadRequest(since, limit),
            new DeliveryOptions().setSendTimeout(timeout.toMillis()))
        .onSuccess(reply -> Routes.json(ctx, JournalJson.page(reply.body())))
        .onFailure(err -> Routes.busFailure(ctx, "journal reader", err));
  }

  /** Reads an optional integer query parameter within bounds; the message names the parameter. */
  static long longParam(RoutingContext ctx, String name, long fallback, long min, long max) {
    String raw = ctx.request().getParam(name);
    if (raw == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new BadParameter(name, raw, "an integer between " + min + " and " + max);
    }
    if (value < min || value > max) {
      throw new BadParameter(name, raw, "an integer between " + min + " and " + max);
    }
    return value;
  }

  static final class BadParameter extends RuntimeException {
    BadParameter(String name, String raw, String expected) {
      super("invalid query parameter '" + name + "': expected " + expected + ", got '" + raw + "'");
    }

    BadParameter(String message) {
      super(message);
    }
  }
}
