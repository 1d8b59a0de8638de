package io.vertlet.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.X509TrustManager;

/**
 * x509 client authentication as the kubelet does it: the TLS layer only <em>requests</em> a client
 * certificate; the request handler verifies the chain against {@code clientCAFile} and maps the subject to a
 * user (CN = name, each O = a group). Verifying after the handshake lets a bad certificate get a 401 with a
 * reason instead of a bare TLS alert.
 */
final class ClientCertificates {

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final Path caFile;
  private final List<X509Certificate> authorities;
  private final PKIXParameters parameters;

  private ClientCertificates(Path caFile, List<X509Certificate> authorities) throws GeneralSecurityException {
    this.caFile = caFile;
    this.authorities = authorities;
    Set<TrustAnchor> anchors = authorities.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toSet());
    this.parameters = new PKIXParameters(anchors);
    this.parameters.setRevocationEnabled(false);
  }

  /** Reads the CA bundle (PEM, one or more certificates); the message names the file on any problem. */
  static ClientCertificates load(Path caFile) throws IOException {
    try (InputStream in = Files.newInputStream(caFile)) {
      List<X509Certificate> cas = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        cas.add((X509Certificate) c);
      }
      if (cas.isEmpty()) {
        throw new IOException("clientCAFile " + caFile + " holds no certificate");
      }
      return new ClientCertificates(caFile, List.copyOf(cas));
    } catch (GeneralSecurityException e) {
      throw new IOException("clientCAFile " + caFile + " is not a PEM certificate bundle: " + e.getMessage(), e);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("clientCAFile " + caFile + " does not exist", e);
    }
  }

  /** The identity a verified client certificate carries. */
  record User(String name, List<String> groups) {}

  /** Verifies the presented chain (leaf first) and returns its user, or throws with the reason. */
  User verify(List<Certificate> chain) throws GeneralSecurityException {
    List<X509Certificate> certs = chain.stream().map(X509Certificate.class::cast).toList();
    X509Certificate leaf = certs.getFirst();
    try {
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(certs), parameters);
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException("client certificate " + leaf.getSubjectX500Principal().getName()
          + " is not signed by an authority in clientCAFile " + caFile + " (" + e.getMessage() + ")", e);
    }
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
      throw new GeneralSecurityException("client certificate " + leaf.getSubjectX500Principal().getName()
          + " is not valid for client authentication (extended key usage)");
    }
    return user(leaf);
  }

  private static User user(X509Certificate leaf) throws GeneralSecurityException {
    String name = null;
    List<String> groups = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN") && name == null) {
          name = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      throw new GeneralSecurityException("client certificate subject cannot be parsed: " + e.getMessage(), e);
    }
    if (name == null || name.isEmpty()) {
      throw new GeneralSecurityException("client certificate has no common name (CN) to use as the user name");
    }
    // LdapName lists RDNs last-to-first; keep the order the subject was written in.
    java.util.Collections.reverse(groups);
    return new User(name, List.copyOf(groups));
  }

  /**
   * The TLS-layer trust manager: accepts whatever client certificate is offered (verification happens per
   * request, above) and advertises the configured authorities so clients pick the right certificate.
   */
  X509TrustManager requestingTrustManager() {
    X509Certificate[] issuers = authorities.toArray(X509Certificate[]::new);
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // Verified per request by verify(); see the class comment.
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a server does not verify servers");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
      }
    };
  }
}
