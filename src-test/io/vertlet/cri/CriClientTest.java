package io.vertlet.cri;

import static io.vertlet.cri.CriFixtures.await;
import static org.junit.jupiter.api.Assertions.*;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.runtime.EmbeddedRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRI client's own promises: clear endpoint errors, deadlines, reconnection, metrics, UNIMPLEMENTED. */
class CriClientTest {

  @TempDir
  Path tmp;

  private Vertx vertx;
  private PrometheusMeterRegistry registry;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  @Test
  void endpointsAreParsedOrRejectedWithTheirName() {
    assertEquals(Path.of("/run/containerd/containerd.sock"),
        CriEndpoint.parse("unix:///run/containerd/containerd.sock").socket());
    assertEquals(Path.of("/run/x.sock"), CriEndpoint.parse("/run/x.sock").socket());
    IllegalArgumentException tcp = assertThrows(IllegalArgumentException.class,
        () -> CriEndpoint.parse("tcp://10.0.0.1:1234"));
    assertTrue(tcp.getMessage().contains("tcp://10.0.0.1:1234"), tcp.getMessage());
  }

  @Test
  void aMissingSocketIsOneClearError() {
    String endpoint = "unix://" + tmp.resolve("nothing-here.sock");
    try (CriClient cri = CriClient.create(vertx, endpoint, Duration.ofSeconds(5), registry)) {
      CriException e = assertThrows(CriException.class, () -> await(cri.version()));
      assertEquals(GrpcStatus.UNAVAILABLE, e.status());
      assertEquals("container runtime endpoint " + endpoint + ": no such socket", e.getMessage());
    }
  }

  @Test
  void reconnectsAfterTheRuntimeRestarts() {
    EmbeddedRuntime runtime = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state"));
    await(runtime.start(vertx));
    try (CriClient cri = CriClient.create(vertx, runtime.endpoint(), Duration.ofSeconds(5), registry)) {
      assertEquals(EmbeddedRuntime.RUNTIME_NAME, await(cri.version()).getRuntimeName());
      await(runtime.stop());
      CriException down = assertThrows(CriException.class, () -> await(cri.version()));
      assertTrue(down.isUnavailable(), down::toString);
      assertTrue(down.getMessage().contains(runtime.endpoint()), down.getMessage());
      await(runtime.start(vertx));
      assertEquals(EmbeddedRuntime.RUNTIME_NAME, await(cri.version()).getRuntimeName());
    } finally {
      await(runtime.stop());
    }
  }

  @Test
  void aRuntimeThatNeverAnswersHitsTheDeadline() throws Exception {
    Path sock = tmp.resolve("silent.sock");
    List<SocketChannel> accepted = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread acceptor = Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            accepted.add(server.accept()); // accept, then say nothing
          }
        } catch (Exception e) {
          // closed at the end of the test
        }
      });
      try (CriClient cri = CriClient.create(vertx, sock.toString(), Duration.ofMillis(500), registry)) {
        long t0 = System.nanoTime();
        CriException e = assertThrows(CriException.class, () -> await(cri.listContainers(null)));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(GrpcStatus.DEADLINE_EXCEEDED, e.status(), e::toString);
        assertTrue(millis >= 450 && millis < 10_000, "gave up after the deadline: " + millis + " ms");
      } finally {
        server.close();
        acceptor.join(5_000);
        for (SocketChannel ch : accepted) {
          ch.close();
        }
      }
    }
  }

  @Test
  void unimplementedIsToleratedWhereTheKubeletToleratesIt() {
    // A gRPC server with no CRI services answers UNIMPLEMENTED to everything, like an old runtime.
    GrpcServer grpc = GrpcServer.server(vertx);
    HttpServer http = await(vertx.createHttpServer().requestHandler(grpc)
        .listen(SocketAddress.domainSocketAddress(tmp.resolve("old.sock").toString())));
    try (CriClient cri = CriClient.create(vertx, tmp.resolve("old.sock").toString(), Duration.ofSeconds(5), registry)) {
      assertFalse(await(cri.updateRuntimeConfig("10.0.0.0/24")), "UpdateRuntimeConfig unimplemented: tolerated");
      CriException e = assertThrows(CriException.class, () -> await(cri.version()));
      assertTrue(e.isUnimplemented(), e::toString);
    } finally {
      await(http.close());
    }
  }

  @Test
  void operationsAreCountedWithTheKubeletMetricNames() {
    EmbeddedRuntime runtime = new EmbeddedRuntime(tmp.resolve("cri.sock"), tmp.resolve("state"));
    await(runtime.start(vertx));
    try (CriClient cri = CriClient.create(vertx, runtime.endpoint(), Duration.ofSeconds(5), registry)) {
      await(cri.version());
      await(cri.version());
      assertThrows(CriException.class, () -> await(cri.containerStatus("nope", false)));
      String scrape = registry.scrape();
      assertTrue(scrape.contains("kubelet_runtime_operations_total{operation_type=\"version\"} 2.0"), scrape);
      assertTrue(scrape.contains("kubelet_runtime_operations_total{operation_type=\"container_status\"} 1.0"), scrape);
      assertTrue(scrape.contains("kubelet_runtime_operations_errors_total{operation_type=\"container_status\"} 1.0"),
          scrape);
      assertFalse(scrape.contains("kubelet_runtime_operations_errors_total{operation_type=\"version\"} 1"), scrape);
      assertTrue(scrape.contains("kubelet_runtime_operations_duration_seconds_bucket{operation_type=\"version\",le=\"0.005\"}"),
          scrape);
      assertTrue(scrape.contains("kubelet_runtime_operations_duration_seconds_count{operation_type=\"version\"} 2"), scrape);
    } finally {
      await(runtime.stop());
    }
  }
}
