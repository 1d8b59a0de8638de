package io.vertlet.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.vertlet.cri.CriClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/**
 * Runs a container's preStop handler before it is stopped: {@code exec} through CRI ExecSync, or
 * {@code httpGet} against the pod's IP (the node's for hostNetwork pods), each bounded by the grace
 * period. A failing hook is reported, and the stop goes on, as upstream.
 */
final class PreStopHook {

  private final Vertx vertx;
  private final CriClient cri;
  private HttpClient http;

  PreStopHook(Vertx vertx, CriClient cri) {
    this.vertx = vertx;
    this.cri = cri;
  }

  /** The container's preStop handler, or null. */
  static LifecycleHandler of(Container c) {
    return c == null || c.getLifecycle() == null ? null : c.getLifecycle().getPreStop();
  }

  /** Runs {@code hook}; fails with a message saying what went wrong. */
  Future<Void> run(LifecycleHandler hook, Container c, String containerId, String podIp, long graceSeconds) {
    Duration timeout = Duration.ofSeconds(Math.max(1, graceSeconds));
    if (hook.getExec() != null && hook.getExec().getCommand() != null) {
      return cri.execSync(containerId, hook.getExec().getCommand(), timeout).compose(r -> r.getExitCode() == 0
          ? Future.succeededFuture()
          : Future.failedFuture("preStop exec " + hook.getExec().getCommand() + " exited with " + r.getExitCode()
              + ": " + r.getStderr().toStringUtf8().strip()));
    }
    if (hook.getHttpGet() != null) {
      return httpGet(hook.getHttpGet(), c, podIp, timeout);
    }
    if (hook.getSleep() != null && hook.getSleep().getSeconds() != null) {
      long ms = Math.min(hook.getSleep().getSeconds(), graceSeconds) * 1000;
      if (ms <= 0) {
        return Future.succeededFuture();
      }
      io.vertx.core.Promise<Void> slept = io.vertx.core.Promise.promise();
      vertx.setTimer(ms, id -> slept.complete());
      return slept.future();
    }
    return Future.succeededFuture();
  }

  private Future<Void> httpGet(HTTPGetAction get, Container c, String podIp, Duration timeout) {
    int port = port(get, c);
    String host = get.getHost() != null && !get.getHost().isEmpty() ? get.getHost() : podIp;
    if (host == null || port <= 0) {
      return Future.failedFuture("preStop httpGet: no host or port to call (host " + host + ", port "
          + get.getPort() + ")");
    }
    boolean tls = "HTTPS".equalsIgnoreCase(get.getScheme());
    if (http == null) {
      http = vertx.createHttpClient(new HttpClientOptions().setTrustAll(true).setVerifyHost(false));
    }
    RequestOptions req = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port).setSsl(tls)
        .setURI(get.getPath() == null || get.getPath().isEmpty() ? "/" : get.getPath())
        .setTimeout(timeout.toMillis());
    if (get.getHttpHeaders() != null) {
      get.getHttpHeaders().forEach(h -> req.addHeader(h.getName(), h.getValue()));
    }
    String url = (tls ? "https://" : "http://") + host + ":" + port + req.getURI();
    return http.request(req).compose(r -> r.send()).compose(resp -> resp.body().compose(b ->
        resp.statusCode() >= 200 && resp.statusCode() < 400 ? Future.<Void>succeededFuture()
            : Future.failedFuture("preStop httpGet " + url + " answered " + resp.statusCode())),
        err -> Future.failedFuture("preStop httpGet " + url + " failed: " + err.getMessage()));
  }

  private static int port(HTTPGetAction get, Container c) {
    if (get.getPort() == null) {
      return 0;
    }
    if (get.getPort().getIntVal() != null) {
      return get.getPort().getIntVal();
    }
    String name = get.getPort().getStrVal();
    for (ContainerPort p : c.getPorts()) {
      if (name.equals(p.getName()) && p.getContainerPort() != null) {
        return p.getContainerPort();
      }
    }
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  void close() {
    if (http != null) {
      http.close();
    }
  }
}
