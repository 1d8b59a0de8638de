package io.vertlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need the containerd testbed: its endpoint comes from the system property
 * {@value #PROPERTY} (deploy/testbed/run-tests.sh starts containerd and passes it); without it a test
 * fails under CI=true and is skipped (aborted, reported as such) elsewhere — never silently passed.
 */
public final class ContainerdTestbed {

  public static final String PROPERTY = "vertlet.containerd.endpoint";

  private ContainerdTestbed() {}

  /** The testbed's {@code unix://} endpoint, or a failure (CI) / an abort (local) when there is none. */
  public static String endpoint() {
    String endpoint = System.getProperty(PROPERTY, "").trim();
    if (endpoint.isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("containerd testbed missing: CI=true but system property " + PROPERTY + " is empty "
            + "(deploy/testbed/run-tests.sh starts it and passes -D" + PROPERTY + ")");
      }
      Assumptions.abort(PROPERTY + " is not set; deploy/testbed/run-tests.sh runs these variants against containerd");
    }
    if (!endpoint.startsWith("unix://")) {
      fail(PROPERTY + " must be a unix:// endpoint, was " + endpoint);
    }
    return endpoint;
  }
}
