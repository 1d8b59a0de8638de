package io.vertlet.pleg;

import io.vertlet.cri.CriClient;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** PLEG against vertlet's embedded runtime, started per test on a private socket and state dir. */
class PlegEmbeddedTest extends PlegRuntimeContract {

  EmbeddedRuntime runtime;

  @Override
  Path startRuntime(Vertx vertx, Path tmp) throws Exception {
    runtime = new EmbeddedRuntime(tmp.resolve("embedded.sock"), tmp.resolve("embedded-state"));
    await(runtime.start(vertx));
    return runtime.socket();
  }

  @Override
  void prepare(CriClient cri) throws Exception {
    await(cri.pullImage(CriClient.image("localhost/busybox:1.35"), null, null));
  }

  @Override
  void stopRuntime() throws Exception {
    await(runtime.stop());
  }
}
