package io.vertlet.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertlet.http.HttpOptions.Authentication;
import io.vertlet.http.HttpOptions.AuthorizationMode;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure API over real TLS: the self-signed serving certificate the verticle generates, and client
 * certificates from a test CA made with the JDK's keytool, as an operator would make them.
 */
class SecurePortTest {

  private static final String PASS = "changeit";

  @TempDir static Path pki;
  private static Path certDir;
  private static Path caPem;
  private static Path clientStore;
  private static Path rogueStore;

  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private int port;

  @BeforeAll
  static void makeTestPki() throws Exception {
    certDir = pki.resolve("kubelet-pki");
    Path ca = pki.resolve("ca.p12");
    caPem = pki.resolve("ca.crt");
    clientStore = pki.resolve("alice.p12");
    rogueStore = pki.resolve("mallory.p12");
    Path csr = pki.resolve("alice.csr");
    Path signed = pki.resolve("alice.crt");
    // Independent keytool runs go side by side: each is a JVM start, slow on a busy machine.
    parallel(
        () -> keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
            "CN=test-ca", "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12", "-keystore", ca, "-storepass", PASS),
        () -> keytool("-genkeypair", "-alias", "alice", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=alice,O=system:masters,O=dev", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", clientStore, "-storepass", PASS),
        () -> keytool("-genkeypair", "-alias", "mallory", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=mallory,O=system:masters", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", rogueStore, "-storepass", PASS));
    parallel(
        () -> keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", PASS, "-file", caPem),
        () -> keytool("-certreq", "-alias", "alice", "-keystore", clientStore, "-storepass", PASS, "-file", csr));
    keytool("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", PASS, "-infile", csr, "-outfile", signed,
        "-rfc", "-ext", "EKU=clientAuth", "-validity", "2");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", clientStore, "-storepass", PASS);
    keytool("-importcert", "-alias", "alice", "-file", signed, "-keystore", clientStore, "-storepass", PASS);
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void parallel(Step... steps) throws Exception {
    List<java.util.concurrent.Future<?>> running = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (Step step : steps) {
        running.add(pool.submit(() -> {
          step.run();
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : running) {
        f.get();
      }
    }
  }

  @AfterEach
  void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (registry != null) {
      registry.close();
    }
  }

  private void deploy(Authentication authn, AuthorizationMode authz) {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    port = HttpTesting.freePort();
    HttpOptions options = HttpOptions.defaults("node-a", certDir)
        .withHealthz("127.0.0.1", 0)
        .withSecure("127.0.0.1", port)
        .withAuth(authn, authz);
    vertx.deployVerticle(new KubeletServerVerticle(options, registry, null)).await();
  }

  @Test
  void generatesASelfSignedCertificateOnceAndServesTlsWithIt() throws Exception {
    deploy(new Authentication(true, null, false), AuthorizationMode.AlwaysAllow);
    Path crt = certDir.resolve("kubelet.crt");
    Path key = certDir.resolve("kubelet.key");
    assertTrue(Files.isRegularFile(crt) && Files.isRegularFile(key));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(key)));
    X509Certificate cert = serving();
    List<String> sans = new ArrayList<>();
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      sans.add(san.get(1).toString());
    }
    assertTrue(sans.containsAll(List.of("node-a", "localhost", "127.0.0.1")), sans.toString());

    HttpClient trusting = client(null);
    for (String host : List.of("localhost", "127.0.0.1")) {
      HttpResponse<String> response = get(trusting, "https://" + host + ":" + port + "/healthz");
      assertEquals(200, response.statusCode(), host);
      assertEquals("ok", response.body());
    }
    assertTrue(get(trusting, "https://localhost:" + port + "/metrics").body()
        .contains("kubelet_node_name{node=\"node-a\"} 1"));
    // A client that does not trust the kubelet's certificate cannot talk to it at all.
    HttpClient stranger = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
    IOException refused = assertThrows(IOException.class, () -> stranger.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()));
    assertTrue(refused instanceof SSLHandshakeException || refused.getCause() instanceof SSLHandshakeException,
        refused.toString());

    // A restart reuses the pair instead of minting a new identity each time.
    byte[] before = Files.readAllBytes(crt);
    vertx.close().await();
    registry.close();
    deploy(new Authentication(true, null, false), AuthorizationMode.AlwaysAllow);
    assertArrayEquals(before, Files.readAllBytes(crt));
    assertEquals(200, get(client(null), "https://localhost:" + port + "/healthz").statusCode());
  }

  @Test
  void anonymousRequestsAreRefusedWhenDisabled() throws Exception {
    deploy(new Authentication(false, caPem, false), AuthorizationMode.AlwaysAllow);
    HttpResponse<String> response = get(client(null), "https://localhost:" + port + "/pods");
    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("anonymous requests are disabled"), response.body());
    HttpTesting.eventually("refused request counted", () -> registry.find("kubelet.http.requests")
        .tags("server_type", "readwrite", "path", "pods").counter() != null);
  }

  @Test
  void aClientCertificateSignedByTheClientCaIsAccepted() throws Exception {
    deploy(new Authentication(false, caPem, false), AuthorizationMode.AlwaysAllow);
    HttpResponse<String> response = get(client(clientStore), "https://localhost:" + port + "/healthz");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ok", response.body());
  }

  @Test
  void theCertificateNamesTheUserAndGroupsForAuthorization() throws Exception {
    deploy(new Authentication(false, caPem, true), AuthorizationMode.Webhook);
    HttpResponse<String> response = get(client(clientStore), "https://localhost:" + port + "/metrics");
    assertEquals(403, response.statusCode(), response.body());
    assertTrue(response.body().contains("user=alice, groups=[system:masters, dev, system:authenticated]"),
        response.body());
    assertTrue(response.body().contains("subresource=metrics"), response.body());
    assertTrue(response.body().contains("authorization.mode: AlwaysAllow"), response.body());
  }

  @Test
  void anUntrustedClientCertificateIsRejectedEvenWithAnonymousAllowed() throws Exception {
    deploy(new Authentication(true, caPem, false), AuthorizationMode.AlwaysAllow);
    // Like curl --cert: offered even though the server advertises a different CA (a JDK client would not).
    HttpResponse<String> response = get(client(rogueStore, "mallory"), "https://localhost:" + port + "/healthz");
    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("CN=mallory") && response.body().contains("clientCAFile"),
        response.body());
    // Without any certificate the same server still serves anonymous callers.
    assertEquals(200, get(client(null), "https://localhost:" + port + "/healthz").statusCode());
  }

  @Test
  void bearerTokensNeedTheApiServer() throws Exception {
    deploy(new Authentication(true, null, true), AuthorizationMode.AlwaysAllow);
    HttpResponse<String> response = client(null).send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/pods"))
            .header("Authorization", "Bearer abc.def").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("webhook authenticator, which needs the API server"), response.body());
  }

  @Test
  void aMissingServingCertificateFailsStartNamingTheFile() {
    vertx = Vertx.vertx();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Path missing = pki.resolve("nope.crt");
    HttpOptions options = HttpOptions.defaults("node-a", certDir)
        .withSecure("127.0.0.1", HttpTesting.freePort())
        .withTls(missing, pki.resolve("nope.key"))
        .withAuth(new Authentication(true, null, false), AuthorizationMode.AlwaysAllow);
    Exception failure = assertThrows(Exception.class,
        () -> vertx.deployVerticle(new KubeletServerVerticle(options, registry, null)).await());
    assertTrue(failure.getMessage().contains("tlsCertFile " + missing + " does not exist"), failure.getMessage());
  }

  private static X509Certificate serving() throws Exception {
    try (InputStream in = Files.newInputStream(certDir.resolve("kubelet.crt"))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** A JDK client that trusts the kubelet's certificate from certDir, presenting the given identity if any. */
  private static HttpClient client(Path identity) throws Exception {
    return client(identity, null);
  }

  /** As above; with {@code forceAlias} the client offers that key whatever issuers the server asks for. */
  private static HttpClient client(Path identity, String forceAlias) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("kubelet", serving());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (identity != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(identity)) {
        keys.load(in, PASS.toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASS.toCharArray());
    }
    SSLContext tls = SSLContext.getInstance("TLS");
    KeyManager[] keyManagers = kmf == null ? null : kmf.getKeyManagers();
    if (forceAlias != null) {
      keyManagers = new KeyManager[] {new ForcedAlias((X509ExtendedKeyManager) keyManagers[0], forceAlias)};
    }
    tls.init(keyManagers, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(30)).build();
  }

  /** Always picks one alias for client authentication, ignoring the issuers the server advertises. */
  private static final class ForcedAlias extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;
    private final String alias;

    ForcedAlias(X509ExtendedKeyManager keys, String alias) {
      this.keys = keys;
      this.alias = alias;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return alias;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return alias;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {alias};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url) {
    return HttpTesting.get(client, url);
  }

  private static void keytool(Object... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    for (Object arg : args) {
      command.add(arg.toString());
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool hung: " + command);
    assertEquals(0, process.exitValue(), command + "\n" + output);
  }

}
