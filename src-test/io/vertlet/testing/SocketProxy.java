package io.vertlet.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A byte pipe from one unix socket to another, standing for a runtime between a client and the real one:
 * {@link #close()} drops every connection through it (the runtime going away); {@link #hold()} keeps what the
 * clients send until {@link #release()} (a client whose requests are not answered for a while, e.g. a PLEG that
 * does not relist while a test changes the runtime under it). Replies already on their way still arrive.
 */
public final class SocketProxy {

  private final NetServer server;
  private final List<NetSocket> open = new CopyOnWriteArrayList<>();
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile boolean held;

  /** One client connection: its context, and what it sent while held. */
  private final class Link {
    final Context context;
    final NetSocket out;
    final List<Buffer> kept = new ArrayList<>();

    Link(Context context, NetSocket out) {
      this.context = context;
      this.out = out;
    }

    void fromClient(Buffer b) {
      if (held || !kept.isEmpty()) {
        kept.add(b);
      } else {
        out.write(b);
      }
    }

    void flush() {
      context.runOnContext(v -> {
        kept.forEach(out::write);
        kept.clear();
      });
    }
  }

  private SocketProxy(NetServer server) {
    this.server = server;
  }

  /** Listens on {@code listen} and forwards each connection to {@code target}. */
  public static SocketProxy start(Vertx vertx, Path listen, Path target) {
    SocketProxy[] self = new SocketProxy[1];
    NetServer server = vertx.createNetServer().connectHandler(in -> self[0].accept(vertx, in, target));
    self[0] = new SocketProxy(server);
    await(server.listen(SocketAddress.domainSocketAddress(listen.toString())));
    return self[0];
  }

  private void accept(Vertx vertx, NetSocket in, Path target) {
    in.pause();
    open.add(in);
    Context context = vertx.getOrCreateContext();
    vertx.createNetClient().connect(SocketAddress.domainSocketAddress(target.toString())).onComplete(ar -> {
      if (ar.failed()) {
        in.close();
        return;
      }
      NetSocket out = ar.result();
      open.add(out);
      Link link = new Link(context, out);
      links.add(link);
      // Client to runtime by hand (held bytes wait in order); runtime to client as a plain pipe.
      in.handler(link::fromClient);
      in.closeHandler(v -> out.close());
      out.pipeTo(in);
      in.resume();
    });
  }

  /** From now on, what clients send waits (in order) until {@link #release()}. */
  public void hold() {
    held = true;
  }

  /** Sends what was kept, and forwards again. */
  public void release() {
    held = false;
    links.forEach(Link::flush);
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    all.add(server.close());
    open.forEach(s -> all.add(s.close()));
    return Future.all(all).mapEmpty();
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("proxy socket: " + e.getMessage(), e);
    }
  }
}
