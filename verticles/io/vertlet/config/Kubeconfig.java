package io.vertlet.config;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Context;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.internal.KubeConfigUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kubeconfig the node uses to reach the API server, read with fabric8: which file (the
 * {@code --kubeconfig}, or the {@code --bootstrap-kubeconfig} while the former does not exist yet),
 * the current context's cluster and user, how the user authenticates, and a ready fabric8
 * {@link Config} for building a client. Blocking (reads files).
 */
public record Kubeconfig(Path file, boolean bootstrap, String context, String server, String user,
    Authentication authentication, Config clientConfig) {

  /** How the kubeconfig's user proves who it is. */
  public enum Authentication { CLIENT_CERTIFICATE, TOKEN, BASIC, EXEC, AUTH_PROVIDER, NONE }

  /** A kubeconfig problem, with one message naming the file. */
  public static final class KubeconfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public KubeconfigException(String message) {
      super(message);
    }
  }

  /**
   * The kubeconfig for this configuration: empty when no --kubeconfig was given (standalone mode).
   * Upstream's rule: the bootstrap kubeconfig is used only when the kubeconfig file does not exist.
   */
  public static Optional<Kubeconfig> resolve(Path kubeconfig, Path bootstrapKubeconfig) throws KubeconfigException {
    if (kubeconfig == null) {
      if (bootstrapKubeconfig != null) {
        throw new KubeconfigException("--bootstrap-kubeconfig " + bootstrapKubeconfig
            + " needs --kubeconfig (the file the bootstrap would write)");
      }
      return Optional.empty();
    }
    if (Files.exists(kubeconfig)) {
      return Optional.of(read(kubeconfig, false));
    }
    if (bootstrapKubeconfig == null) {
      throw new KubeconfigException("--kubeconfig " + kubeconfig + ": file does not exist");
    }
    if (!Files.exists(bootstrapKubeconfig)) {
      throw new KubeconfigException("--kubeconfig " + kubeconfig + " does not exist and neither does "
          + "--bootstrap-kubeconfig " + bootstrapKubeconfig);
    }
    return Optional.of(read(bootstrapKubeconfig, true));
  }

  /** Convenience: {@link #resolve(Path, Path)} with the effective configuration's paths. */
  public static Optional<Kubeconfig> resolve(KubeletConfig config) throws KubeconfigException {
    return resolve(config.kubeconfig(), config.bootstrapKubeconfig());
  }

  /** Reads one kubeconfig file; every problem is one message naming the file. */
  public static Kubeconfig read(Path file, boolean bootstrap) throws KubeconfigException {
    String flag = bootstrap ? "--bootstrap-kubeconfig " : "--kubeconfig ";
    if (!Files.isRegularFile(file)) {
      throw new KubeconfigException(flag + file + ": " + (Files.exists(file) ? "is not a file" : "file does not exist"));
    }
    if (!Files.isReadable(file)) {
      throw new KubeconfigException(flag + file + ": cannot read (permission denied)");
    }
    io.fabric8.kubernetes.api.model.Config model;
    try {
      model = KubeConfigUtils.parseConfig(file.toFile());
    } catch (RuntimeException e) {
      throw new KubeconfigException(flag + file + ": not a kubeconfig: " + oneLine(e));
    }
    if (model == null) {
      throw new KubeconfigException(flag + file + ": empty kubeconfig");
    }
    List<NamedContext> contexts = model.getContexts() == null ? List.of() : model.getContexts();
    String current = model.getCurrentContext();
    if ((current == null || current.isEmpty()) && contexts.size() == 1) {
      current = contexts.get(0).getName();
    }
    if (current == null || current.isEmpty()) {
      throw new KubeconfigException(flag + file + ": no current-context");
    }
    String currentName = current;
    Context context = contexts.stream().filter(c -> currentName.equals(c.getName())).findFirst()
        .map(NamedContext::getContext).orElseThrow(() -> new KubeconfigException(flag + file
            + ": current-context \"" + currentName + "\" is not among its contexts"));
    String clusterName = context.getCluster();
    Cluster cluster = (model.getClusters() == null ? List.<NamedCluster>of() : model.getClusters()).stream()
        .filter(c -> c.getName().equals(clusterName)).findFirst().map(NamedCluster::getCluster)
        .orElseThrow(() -> new KubeconfigException(flag + file + ": context \"" + currentName
            + "\" names cluster \"" + clusterName + "\", which is not defined"));
    if (cluster.getServer() == null || cluster.getServer().isEmpty()) {
      throw new KubeconfigException(flag + file + ": cluster \"" + clusterName + "\" has no server");
    }
    String userName = context.getUser();
    AuthInfo user = (model.getUsers() == null ? List.<NamedAuthInfo>of() : model.getUsers()).stream()
        .filter(u -> u.getName().equals(userName)).findFirst().map(NamedAuthInfo::getUser).orElse(null);
    if (userName != null && !userName.isEmpty() && user == null) {
      throw new KubeconfigException(flag + file + ": context \"" + currentName + "\" names user \"" + userName
          + "\", which is not defined");
    }
    Authentication auth = authentication(user);
    if (user != null && user.getClientCertificate() != null) {
      Path cert = file.toAbsolutePath().getParent().resolve(user.getClientCertificate());
      if (!Files.isReadable(cert)) {
        throw new KubeconfigException(flag + file + ": user \"" + userName + "\" client-certificate " + cert
            + " cannot be read");
      }
    }
    Config clientConfig;
    try {
      clientConfig = Config.fromKubeconfig(file.toFile());
    } catch (RuntimeException e) {
      throw new KubeconfigException(flag + file + ": " + oneLine(e));
    }
    return new Kubeconfig(file, bootstrap, currentName, cluster.getServer(), userName, auth, clientConfig);
  }

  private static Authentication authentication(AuthInfo user) {
    if (user == null) {
      return Authentication.NONE;
    }
    if (user.getClientCertificate() != null || user.getClientCertificateData() != null) {
      return Authentication.CLIENT_CERTIFICATE;
    }
    if (user.getToken() != null || user.getTokenFile() != null) {
      return Authentication.TOKEN;
    }
    if (user.getUsername() != null) {
      return Authentication.BASIC;
    }
    if (user.getExec() != null) {
      return Authentication.EXEC;
    }
    if (user.getAuthProvider() != null) {
      return Authentication.AUTH_PROVIDER;
    }
    return Authentication.NONE;
  }

  private static String oneLine(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replace('\n', ' ');
  }
}
