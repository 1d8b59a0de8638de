package io.vertlet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code vertlet version}: the build's version, the JVM it runs on, and the Kubernetes API it speaks. */
@Command(name = "version", description = "Print the version and exit.")
public final class VersionCommand implements Runnable {

  /** The Kubernetes minor version whose kubelet behaviour vertlet follows. */
  public static final String KUBERNETES_VERSION = "v1.28.4";

  /** This build's version, from the Maven project version. */
  public static final String VERSION = readVersion();

  @Override
  public void run() {
    for (String line : lines()) {
      System.out.println(line);
    }
  }

  static String[] lines() {
    return new String[] {
        "vertlet " + VERSION,
        "kubelet compatibility: " + KUBERNETES_VERSION,
        "java: " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
    };
  }

  private static String readVersion() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("/vertlet-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lets {@code vertlet --version} print the same as {@code vertlet version}. */
  public static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return lines();
    }
  }
}
