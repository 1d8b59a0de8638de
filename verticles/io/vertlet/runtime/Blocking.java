package io.vertlet.runtime;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the runtime's blocking work (processes, files, waits of up to a grace period) on virtual
 * threads, never on the event loop, and completes the answer back on the caller's context.
 * Unexpected exceptions become INTERNAL with their message, so a client always gets a status.
 */
final class Blocking implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Blocking.class);

  private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("vertlet-runtime-", 0).factory());

  <T> Future<T> call(Callable<T> work) {
    Context ctx = io.vertx.core.Vertx.currentContext();
    Promise<T> promise = ctx instanceof ContextInternal internal ? internal.promise() : Promise.promise();
    try {
      executor.execute(() -> {
        T value;
        try {
          value = work.call();
        } catch (StatusException e) {
          promise.fail(e);
          return;
        } catch (Throwable e) {
          LOG.warn("embedded runtime: unexpected failure", e);
          promise.fail(new StatusException(GrpcStatus.INTERNAL, String.valueOf(e.getMessage())));
          return;
        }
        promise.complete(value);
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new StatusException(GrpcStatus.UNAVAILABLE, "embedded runtime is stopping"));
    }
    return promise.future();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
