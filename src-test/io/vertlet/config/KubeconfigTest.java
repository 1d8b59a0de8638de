package io.vertlet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {

  @TempDir Path dir;

  static final String CERT_KUBECONFIG = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: kubernetes
        cluster:
          server: https://10.0.0.1:6443
          certificate-authority: ca.crt
      users:
      - name: system:node:node-a
        user:
          client-certificate: pki/kubelet-client-current.pem
          client-key: pki/kubelet-client-current.pem
      contexts:
      - name: system:node:node-a@kubernetes
        context:
          cluster: kubernetes
          user: system:node:node-a
      current-context: system:node:node-a@kubernetes
      """;

  static final String TOKEN_KUBECONFIG = """
      apiVersion: v1
      kind: Config
      clusters:
      - name: bootstrap
        cluster:
          server: https://10.0.0.2:6443
          insecure-skip-tls-verify: true
      users:
      - name: tls-bootstrap-token-user
        user:
          token: 07401b.f395accd246ae52d
      contexts:
      - name: tls-bootstrap-token-user@kubernetes
        context:
          cluster: bootstrap
          user: tls-bootstrap-token-user
      current-context: tls-bootstrap-token-user@kubernetes
      """;

  private Path withCert() throws Exception {
    Seeds.write(dir, "pki/kubelet-client-current.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    Seeds.write(dir, "ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    return Seeds.write(dir, "kubelet.conf", CERT_KUBECONFIG);
  }

  @Test
  void clientCertificateKubeconfigIsRead() throws Exception {
    Path file = withCert();
    Kubeconfig k = Kubeconfig.resolve(file, dir.resolve("bootstrap-kubelet.conf")).orElseThrow();
    assertEquals(file, k.file());
    assertFalse(k.bootstrap());
    assertEquals("https://10.0.0.1:6443", k.server());
    assertEquals("system:node:node-a", k.user());
    assertEquals("system:node:node-a@kubernetes", k.context());
    assertEquals(Kubeconfig.Authentication.CLIENT_CERTIFICATE, k.authentication());
    assertTrue(k.clientConfig().getMasterUrl().startsWith("https://10.0.0.1:6443"), k.clientConfig().getMasterUrl());
    assertTrue(k.clientConfig().getClientCertFile().endsWith("pki/kubelet-client-current.pem"));
  }

  @Test
  void tokenKubeconfigIsRead() throws Exception {
    Path file = Seeds.write(dir, "token.conf", TOKEN_KUBECONFIG);
    Kubeconfig k = Kubeconfig.read(file, false);
    assertEquals(Kubeconfig.Authentication.TOKEN, k.authentication());
    assertEquals("07401b.f395accd246ae52d", k.clientConfig().getAutoOAuthToken());
  }

  @Test
  void bootstrapIsUsedOnlyWhileTheKubeconfigDoesNotExist() throws Exception {
    Path bootstrap = Seeds.write(dir, "bootstrap-kubelet.conf", TOKEN_KUBECONFIG);
    Path kubeconfig = dir.resolve("kubelet.conf");
    Kubeconfig before = Kubeconfig.resolve(kubeconfig, bootstrap).orElseThrow();
    assertTrue(before.bootstrap());
    assertEquals(bootstrap, before.file());
    withCert();
    Kubeconfig after = Kubeconfig.resolve(kubeconfig, bootstrap).orElseThrow();
    assertFalse(after.bootstrap());
    assertEquals(kubeconfig, after.file());
  }

  @Test
  void missingOrBrokenKubeconfigIsOneErrorNamingTheFile() throws Exception {
    Path missing = dir.resolve("nope.conf");
    var e = assertThrows(Kubeconfig.KubeconfigException.class, () -> Kubeconfig.resolve(missing, null));
    assertEquals("--kubeconfig " + missing + ": file does not exist", e.getMessage());
    var both = assertThrows(Kubeconfig.KubeconfigException.class,
        () -> Kubeconfig.resolve(missing, dir.resolve("boot.conf")));
    assertTrue(both.getMessage().contains(missing.toString()) && both.getMessage().contains("boot.conf"));
    Path broken = Seeds.write(dir, "broken.conf", "clusters: [oops\n");
    var parse = assertThrows(Kubeconfig.KubeconfigException.class, () -> Kubeconfig.resolve(broken, null));
    assertTrue(parse.getMessage().startsWith("--kubeconfig " + broken + ": "), parse.getMessage());
    Path noContext = Seeds.write(dir, "nocontext.conf", TOKEN_KUBECONFIG.replace(
        "current-context: tls-bootstrap-token-user@kubernetes", "current-context: elsewhere"));
    var ctx = assertThrows(Kubeconfig.KubeconfigException.class, () -> Kubeconfig.resolve(noContext, null));
    assertTrue(ctx.getMessage().contains("\"elsewhere\""), ctx.getMessage());
  }

  @Test
  void standaloneHasNoKubeconfig() throws Exception {
    assertEquals(Optional.empty(), Kubeconfig.resolve(null, null));
  }
}
