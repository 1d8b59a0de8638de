package io.vertlet.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization in front of the secure API, in the kubelet's order: a client certificate
 * (verified against {@code clientCAFile}) wins; a bad one is a 401 even when anonymous requests are allowed; a
 * bearer token needs the webhook authenticator, which needs the API server (cluster mode), so it is a 401
 * with that reason; no credentials at all is {@code system:anonymous} when enabled, else 401. Authorization
 * {@code AlwaysAllow} lets every authenticated request through; {@code Webhook} would ask the API server
 * (SubjectAccessReview), which standalone has not, so it refuses with 403 saying so.
 */
final class ApiAuth {

  private static final Logger LOG = LoggerFactory.getLogger(ApiAuth.class);
  static final String USER_KEY = "vertlet.user";

  private final HttpOptions options;
  private final ClientCertificates clientCerts;

  /** @param clientCerts null when no clientCAFile is configured */
  ApiAuth(HttpOptions options, ClientCertificates clientCerts) {
    this.options = options;
    this.clientCerts = clientCerts;
  }

  void handle(RoutingContext ctx) {
    ClientCertificates.User user;
    try {
      user = authenticate(ctx.request());
    } catch (Unauthorized e) {
      LOG.debug("401 {} {}: {}", ctx.request().method(), ctx.request().path(), e.getMessage());
      ctx.response().setStatusCode(401)
          .putHeader("Content-Type", Routes.TEXT)
          .end("Unauthorized: " + e.getMessage() + "\n");
      return;
    }
    ctx.put(USER_KEY, user);
    if (options.authorization() == HttpOptions.AuthorizationMode.Webhook) {
      ctx.response().setStatusCode(403)
          .putHeader("Content-Type", Routes.TEXT)
          .end("Forbidden (" + attributes(ctx.request(), user) + "): authorization mode Webhook needs the "
              + "API server (SubjectAccessReview through a kubeconfig), which this agent does not have; "
              + "set authorization.mode: AlwaysAllow to serve standalone\n");
      return;
    }
    ctx.next();
  }

  private ClientCertificates.User authenticate(HttpServerRequest request) {
    List<Certificate> chain = peerCertificates(request);
    if (!chain.isEmpty()) {
      try {
        return clientCerts.verify(chain);
      } catch (GeneralSecurityException e) {
        throw new Unauthorized(e.getMessage());
      }
    }
    String authorization = request.getHeader("Authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Unauthorized(options.authentication().webhookEnabled()
          ? "bearer tokens are verified by the webhook authenticator, which needs the API server (a "
              + "kubeconfig); not available in standalone mode, use a client certificate"
          : "bearer tokens are not accepted (authentication.webhook.enabled is false); use a client certificate");
    }
    if (options.authentication().anonymousEnabled()) {
      return new ClientCertificates.User("system:anonymous", List.of("system:unauthenticated"));
    }
    throw new Unauthorized("anonymous requests are disabled (authentication.anonymous.enabled: false)"
        + (clientCerts == null ? " and no clientCAFile is configured for client certificates"
            : "; present a client certificate signed by clientCAFile"));
  }

  private List<Certificate> peerCertificates(HttpServerRequest request) {
    if (clientCerts == null) {
      return List.of();
    }
    try {
      List<Certificate> chain = request.connection().peerCertificates();
      return chain == null ? List.of() : chain;
    } catch (SSLPeerUnverifiedException none) {
      return List.of();
    }
  }

  /** The request as the kubelet names it for authorization: verb, resource nodes, subresource, node name. */
  private String attributes(HttpServerRequest request, ClientCertificates.User user) {
    List<String> groups = new ArrayList<>(user.groups());
    if (!user.name().equals("system:anonymous")) {
      groups.add("system:authenticated");
    }
    return "user=" + user.name() + ", groups=" + groups + ", verb=" + verb(request.method().name())
        + ", resource=nodes, name=" + options.nodeName() + ", subresource=" + subresource(request.path());
  }

  private static String verb(String method) {
    return switch (method) {
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> "get";
    };
  }

  private static String subresource(String path) {
    String first = path.split("/", 3).length > 1 ? path.split("/", 3)[1] : "";
    return switch (first) {
      case "stats" -> "stats";
      case "metrics" -> "metrics";
      case "logs" -> "log";
      case "spec" -> "spec";
      case "configz" -> "configz";
      case "healthz" -> "healthz";
      case "pods" -> "pods";
      default -> "proxy";
    };
  }

  private static final class Unauthorized extends RuntimeException {
    Unauthorized(String reason) {
      super(reason, null, false, false);
    }
  }
}
