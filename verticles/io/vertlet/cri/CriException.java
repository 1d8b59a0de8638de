package io.vertlet.cri;

import io.vertx.grpc.common.GrpcStatus;

/**
 * A CRI call that failed: the operation (upstream's {@code operation_type} name), the gRPC status
 * the runtime answered (or {@code UNAVAILABLE} when it could not be reached, {@code DEADLINE_EXCEEDED}
 * when the per-call deadline passed) and a message a human can act on.
 */
public final class CriException extends RuntimeException {

  private final String operation;
  private final GrpcStatus status;

  public CriException(String operation, GrpcStatus status, String message) {
    super(message);
    this.operation = operation;
    this.status = status;
  }

  public CriException(String operation, GrpcStatus status, String message, Throwable cause) {
    super(message, cause);
    this.operation = operation;
    this.status = status;
  }

  public String operation() {
    return operation;
  }

  public GrpcStatus status() {
    return status;
  }

  public boolean isNotFound() {
    return status == GrpcStatus.NOT_FOUND;
  }

  public boolean isUnimplemented() {
    return status == GrpcStatus.UNIMPLEMENTED;
  }

  /** True when the runtime was not reached at all (no socket, refused, connection lost). */
  public boolean isUnavailable() {
    return status == GrpcStatus.UNAVAILABLE;
  }

  /** The gRPC status of {@code t} if it is a {@link CriException}, else {@code UNKNOWN}. */
  public static GrpcStatus statusOf(Throwable t) {
    return t instanceof CriException c ? c.status : GrpcStatus.UNKNOWN;
  }
}
