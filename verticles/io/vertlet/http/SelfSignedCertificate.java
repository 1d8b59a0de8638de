package io.vertlet.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's fallback serving certificate: when no {@code tlsCertFile}/{@code tlsPrivateKeyFile} is
 * configured, a self-signed pair {@code <certDir>/kubelet.crt} + {@code kubelet.key} (PEM) is generated on
 * first start and reused afterwards. SANs: the node name, {@code localhost}, {@code 127.0.0.1}.
 *
 * <p>The JDK has no public certificate-building API and the agent carries no crypto library, so the pair is
 * made by the JDK's own {@code keytool} as a child process into a throw-away PKCS#12 store, then written out
 * as PEM. Blocking: call from a worker thread.
 */
public final class SelfSignedCertificate {

  /** Certificate and key file paths, ready for the TLS server. */
  public record Pair(Path certFile, Path keyFile) {}

  static final String CERT_FILE = "kubelet.crt";
  static final String KEY_FILE = "kubelet.key";
  private static final int VALIDITY_DAYS = 365;

  private SelfSignedCertificate() {}

  /** Returns the pair in {@code certDir}, generating it when either file is missing. */
  public static Pair ensure(Path certDir, String nodeName) throws IOException {
    Path cert = certDir.resolve(CERT_FILE);
    Path key = certDir.resolve(KEY_FILE);
    if (Files.isReadable(cert) && Files.isReadable(key)) {
      return new Pair(cert, key);
    }
    Files.createDirectories(certDir);
    Path store = Files.createTempFile(certDir, ".kubelet-", ".p12");
    Files.delete(store); // keytool refuses to open an empty file as a keystore
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    try {
      runKeytool(List.of("-genkeypair", "-alias", "kubelet", "-keyalg", "RSA", "-keysize", "2048",
          "-validity", String.valueOf(VALIDITY_DAYS),
          "-dname", "CN=" + nodeName + "@" + Instant.now().getEpochSecond(),
          "-ext", "SAN=" + subjectAltNames(nodeName),
          "-ext", "KU=digitalSignature,keyEncipherment",
          "-ext", "EKU=serverAuth",
          "-storetype", "PKCS12", "-keystore", store.toString(),
          "-storepass", password, "-keypass", password));
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, password.toCharArray());
      }
      PrivateKey privateKey = (PrivateKey) keyStore.getKey("kubelet", password.toCharArray());
      X509Certificate certificate = (X509Certificate) keyStore.getCertificate("kubelet");
      writeAtomically(key, pem("PRIVATE KEY", privateKey.getEncoded()), true);
      writeAtomically(cert, pem("CERTIFICATE", certificate.getEncoded()), false);
      return new Pair(cert, key);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the generated key pair: " + e.getMessage(), e);
    } finally {
      Files.deleteIfExists(store);
    }
  }

  private static String subjectAltNames(String nodeName) {
    List<String> names = new ArrayList<>();
    names.add(isIpLiteral(nodeName) ? "ip:" + nodeName : "dns:" + nodeName);
    if (!nodeName.equals("localhost")) {
      names.add("dns:localhost");
    }
    if (!nodeName.equals("127.0.0.1")) {
      names.add("ip:127.0.0.1");
    }
    return String.join(",", names);
  }

  /** Node names are DNS names or, on some clouds, an IP; keytool wants the two told apart. */
  private static boolean isIpLiteral(String name) {
    return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || name.contains(":");
  }

  private static void runKeytool(List<String> args) throws IOException {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(keytool)) {
      throw new IOException("cannot generate a self-signed serving certificate: no keytool at " + keytool
          + "; set tlsCertFile and tlsPrivateKeyFile");
    }
    List<String> command = new ArrayList<>();
    command.add(keytool.toString());
    // A one-shot JVM: the quick compiler and the serial collector start it fastest.
    command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish generating the self-signed certificate in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException("keytool failed generating the self-signed certificate (exit "
            + process.exitValue() + "): " + output.strip());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating the self-signed certificate", e);
    }
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      if (secret) {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
          // Windows and friends: the directory's ACLs apply.
        }
      }
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
