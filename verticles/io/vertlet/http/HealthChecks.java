package io.vertlet.http;

import io.vertlet.bus.Addresses;
import io.vertlet.journal.JournalHealth;
import io.vertlet.pleg.PlegHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The named health checks behind {@code /healthz}. Each asks the part it checks over the event bus with a
 * short timeout: a part that is not deployed (no consumer) is skipped, one that does not answer in time has
 * failed, because a stuck journal writer is exactly what healthz exists to report.
 */
final class HealthChecks {

  enum Status { OK, SKIPPED, FAILED }

  record Result(String name, Status status, String reason) {
    static Result ok(String name) {
      return new Result(name, Status.OK, null);
    }
  }

  private record Check(String name, String address, String part, Function<Object, String> failure) {}

  private static final List<Check> CHECKS = List.of(
      new Check("journal", Addresses.JOURNAL_HEALTH, "journal writer", HealthChecks::journalFailure),
      new Check("pleg", Addresses.PLEG_HEALTH, "PLEG", HealthChecks::plegFailure));

  private final Vertx vertx;
  private final Duration timeout;

  HealthChecks(Vertx vertx, Duration timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  /** Every check name, in the order they are reported; {@code ping} always passes. */
  static List<String> names() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of("ping"), CHECKS.stream().map(Check::name))
        .toList();
  }

  Future<List<Result>> runAll() {
    return Future.all(names().stream().map(this::run).toList())
        .map(all -> all.<Result>list());
  }

  /** Runs one named check; an unknown name is the caller's business (see {@link #names()}). */
  Future<Result> run(String name) {
    if (name.equals("ping")) {
      return Future.succeededFuture(Result.ok("ping"));
    }
    Check check = CHECKS.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
    return vertx.eventBus().request(check.address(), "healthz", delivery)
        .map(reply -> {
          String failure = check.failure().apply(reply.body());
          return failure == null ? Result.ok(name) : new Result(name, Status.FAILED, failure);
        })
        .recover(err -> Future.succeededFuture(onError(check, err)));
  }

  private Result onError(Check check, Throwable err) {
    if (err instanceof ReplyException rex) {
      if (rex.failureType() == ReplyFailure.NO_HANDLERS) {
        return new Result(check.name(), Status.SKIPPED, check.part() + " is not running");
      }
      if (rex.failureType() == ReplyFailure.TIMEOUT) {
        return new Result(check.name(), Status.FAILED,
            check.part() + " is not responding (no answer within " + timeout.toMillis() + " ms)");
      }
    }
    return new Result(check.name(), Status.FAILED, check.part() + " health check failed: " + err.getMessage());
  }

  private static String journalFailure(Object body) {
    if (body instanceof JournalHealth health) {
      if (!health.stuck()) {
        return null;
      }
      return health.reason() == null || health.reason().isBlank() ? "journal writer is stuck" : health.reason();
    }
    return "journal health reply is not a JournalHealth: " + describe(body);
  }

  private static String plegFailure(Object body) {
    if (body instanceof PlegHealth health) {
      if (health.healthy()) {
        return null;
      }
      return health.message() == null || health.message().isBlank()
          ? "PLEG is not healthy (last relist " + health.lastRelist() + ")" : health.message();
    }
    return "PLEG health reply is not a PlegHealth: " + describe(body);
  }

  private static String describe(Object body) {
    return body == null ? "null" : body.getClass().getName();
  }
}
