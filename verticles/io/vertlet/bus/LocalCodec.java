package io.vertlet.bus;

import io.vertlet.events.Committed;
import io.vertlet.events.FactTypes;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable records over the local event bus by reference: no serialization, no copy. The
 * bus is never clustered, so the wire methods are never called and say so if they are.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = "local:" + type.getName();
  }

  /** Registers the codec as default for every fact type, {@code Committed}, and the given classes. */
  public static void registerAll(Vertx vertx, Class<?>... more) {
    EventBus bus = vertx.eventBus();
    FactTypes.all().values().forEach(type -> register(bus, type));
    register(bus, Committed.class);
    for (Class<?> type : more) {
      register(bus, type);
    }
  }

  private static <T> void register(EventBus bus, Class<T> type) {
    try {
      bus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // Several verticles may register the same record type; the first one wins, all are equal.
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException("vertlet's event bus is local only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException("vertlet's event bus is local only");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
