package io.vertlet.http;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the HTTP verticles need, already resolved from the KubeletConfiguration and flags by the
 * caller. A port of 0 disables that server, as in the kubelet.
 *
 * @param nodeName           the node's name: the {@code kubelet_node_name} label and a SAN of the self-signed cert
 * @param healthzBindAddress where {@code /healthz} listens (kubelet default 127.0.0.1)
 * @param healthzPort        kubelet default 10248; 0 disables
 * @param readOnlyAddress    where the unauthenticated plain-HTTP port listens
 * @param readOnlyPort       kubelet default 10255 when enabled; 0 disables (the KubeletConfiguration default)
 * @param address            where the authenticated TLS API listens (kubelet default 0.0.0.0)
 * @param port               kubelet default 10250; 0 disables
 * @param tlsCertFile        serving certificate (PEM); null with {@code tlsPrivateKeyFile} null = self-signed
 * @param tlsPrivateKeyFile  its private key (PEM)
 * @param certDir            where the self-signed pair {@code kubelet.crt}/{@code kubelet.key} is generated
 * @param authentication     who may call the secure port
 * @param authorization      what an authenticated caller may do
 * @param busTimeout         how long a request over the event bus (health checks, projections) may take
 */
public record HttpOptions(
    String nodeName,
    String healthzBindAddress, int healthzPort,
    String readOnlyAddress, int readOnlyPort,
    String address, int port,
    Path tlsCertFile, Path tlsPrivateKeyFile, Path certDir,
    Authentication authentication,
    AuthorizationMode authorization,
    Duration busTimeout) {

  /** KubeletConfiguration {@code authentication}: anonymous, x509 client CA, webhook (bearer tokens). */
  public record Authentication(boolean anonymousEnabled, Path clientCAFile, boolean webhookEnabled) {}

  /** KubeletConfiguration {@code authorization.mode}. */
  public enum AuthorizationMode { AlwaysAllow, Webhook }

  public HttpOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(authentication, "authentication");
    Objects.requireNonNull(authorization, "authorization");
    if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
      throw new IllegalArgumentException(
          "tlsCertFile and tlsPrivateKeyFile must be given together (got only " + (tlsCertFile == null
              ? "tlsPrivateKeyFile" : "tlsCertFile") + ")");
    }
    if (tlsCertFile == null && port != 0 && certDir == null) {
      throw new IllegalArgumentException("certDir is needed to generate a self-signed certificate "
          + "when tlsCertFile/tlsPrivateKeyFile are not set");
    }
    checkPort("healthzPort", healthzPort);
    checkPort("readOnlyPort", readOnlyPort);
    checkPort("port", port);
    busTimeout = busTimeout == null ? Duration.ofSeconds(2) : busTimeout;
  }

  /**
   * The kubelet's defaults for a node: healthz on 127.0.0.1:10248, the read-only port off, the API on
   * 0.0.0.0:10250 with a self-signed certificate in {@code certDir}, and the KubeletConfiguration v1beta1
   * authn/authz defaults (anonymous off, webhook on, mode Webhook).
   */
  public static HttpOptions defaults(String nodeName, Path certDir) {
    return new HttpOptions(nodeName, "127.0.0.1", 10248, "127.0.0.1", 0, "0.0.0.0", 10250,
        null, null, certDir, new Authentication(false, null, true), AuthorizationMode.Webhook, null);
  }

  public HttpOptions withHealthz(String bindAddress, int port) {
    return new HttpOptions(nodeName, bindAddress, port, readOnlyAddress, readOnlyPort, address, this.port,
        tlsCertFile, tlsPrivateKeyFile, certDir, authentication, authorization, busTimeout);
  }

  public HttpOptions withReadOnly(String bindAddress, int port) {
    return new HttpOptions(nodeName, healthzBindAddress, healthzPort, bindAddress, port, address, this.port,
        tlsCertFile, tlsPrivateKeyFile, certDir, authentication, authorization, busTimeout);
  }

  public HttpOptions withSecure(String bindAddress, int port) {
    return new HttpOptions(nodeName, healthzBindAddress, healthzPort, readOnlyAddress, readOnlyPort,
        bindAddress, port, tlsCertFile, tlsPrivateKeyFile, certDir, authentication, authorization, busTimeout);
  }

  public HttpOptions withTls(Path certFile, Path keyFile) {
    return new HttpOptions(nodeName, healthzBindAddress, healthzPort, readOnlyAddress, readOnlyPort,
        address, port, certFile, keyFile, certDir, authentication, authorization, busTimeout);
  }

  public HttpOptions withAuth(Authentication authn, AuthorizationMode authz) {
    return new HttpOptions(nodeName, healthzBindAddress, healthzPort, readOnlyAddress, readOnlyPort,
        address, port, tlsCertFile, tlsPrivateKeyFile, certDir, authn, authz, busTimeout);
  }

  public HttpOptions withBusTimeout(Duration timeout) {
    return new HttpOptions(nodeName, healthzBindAddress, healthzPort, readOnlyAddress, readOnlyPort,
        address, port, tlsCertFile, tlsPrivateKeyFile, certDir, authentication, authorization, timeout);
  }

  private static void checkPort(String field, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(field + " must be between 0 (disabled) and 65535, got " + port);
    }
  }
}
