package io.vertlet.http;

import io.fabric8.kubernetes.api.model.PodList;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet API on {@code address:port} (10250): TLS with the configured serving certificate or a self-signed
 * one generated into {@code certDir}; every request authenticated and authorized ({@link ApiAuth}) before the
 * same routes the read-only port serves. Port 0 disables it.
 */
public final class KubeletServerVerticle extends KubeletRoutesServer {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletServerVerticle.class);

  /**
   * @param podRenderer turns the reply of {@code PROJECTION_NODE} into a PodList; null renders the
   *                    projection's {@code NodeState} with {@code PodStatusRenderer}
   */
  public KubeletServerVerticle(HttpOptions options, PrometheusMeterRegistry registry,
      Function<Object, PodList> podRenderer) {
    this(options, registry, podRenderer, JournalFollowHandler.DEFAULT_MAX_BUFFERED);
  }

  public KubeletServerVerticle(HttpOptions options, PrometheusMeterRegistry registry,
      Function<Object, PodList> podRenderer, int followBuffer) {
    super(options, registry, podRenderer, followBuffer);
  }

  private record Tls(SelfSignedCertificate.Pair serving, boolean generated, ClientCertificates clientCerts) {}

  @Override
  public Future<?> start() {
    if (options.port() == 0) {
      LOG.info("kubelet API server disabled (port: 0)");
      return Future.succeededFuture();
    }
    String where = options.address() + ":" + options.port();
    return vertx.executeBlocking(this::prepareTls)
        .compose(tls -> listen(tls, where)
            .recover(err -> Future.failedFuture(Routes.cannotListen("kubelet API", where, err)))
            .onSuccess(s -> LOG.info("kubelet API listening on https://{} (certificate {}{}; anonymous {}, "
                    + "client certificates {}, authorization {})", where, tls.serving().certFile(),
                tls.generated() ? ", self-signed" : "",
                options.authentication().anonymousEnabled() ? "allowed" : "refused",
                tls.clientCerts() == null ? "off" : "from " + options.authentication().clientCAFile(),
                options.authorization())));
  }

  /** Blocking: file checks, certificate generation (a keytool child process), CA parsing. */
  private Tls prepareTls() throws IOException {
    SelfSignedCertificate.Pair serving;
    boolean generated = false;
    if (options.tlsCertFile() != null) {
      requireReadable("tlsCertFile", options.tlsCertFile());
      requireReadable("tlsPrivateKeyFile", options.tlsPrivateKeyFile());
      serving = new SelfSignedCertificate.Pair(options.tlsCertFile(), options.tlsPrivateKeyFile());
    } else {
      Path cert = options.certDir().resolve(SelfSignedCertificate.CERT_FILE);
      generated = true;
      if (!Files.exists(cert)) {
        LOG.info("generating a self-signed serving certificate in {}", options.certDir());
      }
      serving = SelfSignedCertificate.ensure(options.certDir(), options.nodeName());
    }
    Path caFile = options.authentication().clientCAFile();
    ClientCertificates clientCerts = caFile == null ? null : ClientCertificates.load(caFile);
    return new Tls(serving, generated, clientCerts);
  }

  private static void requireReadable(String field, Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new IOException(field + " " + file + (Files.exists(file) ? " is not readable" : " does not exist"));
    }
  }

  private Future<HttpServer> listen(Tls tls, String where) {
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(tls.serving().certFile().toString())
            .setKeyPath(tls.serving().keyFile().toString()));
    if (tls.clientCerts() != null) {
      serverOptions.setClientAuth(ClientAuth.REQUEST)
          .setTrustOptions(TrustOptions.wrap(tls.clientCerts().requestingTrustManager()));
    }
    Router router = Router.router(vertx);
    router.route().handler(new ApiAuth(options, tls.clientCerts())::handle);
    mountRoutes(router, "secure");
    return listening(vertx.createHttpServer(serverOptions)
        .requestHandler(router)
        .listen(options.port(), options.address()));
  }
}
