package io.vertlet.pleg;

import io.vertlet.cri.CriClient;
import io.vertlet.testbed.ContainerdTestbedTest;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** PLEG against the containerd testbed (fails under CI=true when it is missing). */
class PlegContainerdTest extends PlegRuntimeContract {

  @Override
  Path startRuntime(Vertx vertx, Path tmp) {
    return ContainerdTestbedTest.requiredSocket();
  }

  @Override
  void prepare(CriClient cri) {
    // The testbed imported localhost/busybox:1.35; there is no registry to pull from.
  }

  @Override
  void stopRuntime() {
    // Shared by every test class; deploy/testbed/containerd.sh down stops it.
  }
}
