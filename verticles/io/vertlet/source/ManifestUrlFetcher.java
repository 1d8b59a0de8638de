package io.vertlet.source;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Map;

/**
 * Fetches {@code staticPodURL} on the event loop, reading at most {@code maxBytes} of body: a
 * bigger answer is cut off, never buffered whole. The outcome's parse runs elsewhere (a worker).
 */
final class ManifestUrlFetcher implements AutoCloseable {

  /** The body, or why there is none: {@code tooLarge} is a content problem, the rest unreachability. */
  record Fetched(Buffer body, String failure, boolean tooLarge) {}

  static final long TIMEOUT_MILLIS = 10_000;

  private final HttpClient client;
  private final String url;
  private final Map<String, List<String>> headers;
  private final int maxBytes;
  private final long timeoutMillis;

  ManifestUrlFetcher(Vertx vertx, String url, Map<String, List<String>> headers, int maxBytes) {
    this.url = url;
    this.headers = headers;
    this.maxBytes = maxBytes;
    // Fixed rather than tied to the frequency: a slow answer is still an answer, and fetches of one
    // URL never overlap, so a short frequency cannot pile requests up.
    this.timeoutMillis = TIMEOUT_MILLIS;
    this.client = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) timeoutMillis)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
  }

  Future<Fetched> fetch() {
    RequestOptions options;
    try {
      options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setIdleTimeout(timeoutMillis);
    } catch (RuntimeException badUrl) {
      return Future.succeededFuture(new Fetched(null, "invalid URL: " + badUrl.getMessage(), false));
    }
    headers.forEach((name, values) -> values.forEach(v -> options.addHeader(name, v)));
    Promise<Fetched> result = Promise.promise();
    client.request(options)
        .compose(request -> request.send())
        .onFailure(e -> result.tryComplete(new Fetched(null, "unreachable: " + e.getMessage(), false)))
        .onSuccess(response -> {
          if (response.statusCode() != 200) {
            response.end();
            result.tryComplete(new Fetched(null, "HTTP " + response.statusCode() + " " + response.statusMessage(), false));
            return;
          }
          String length = response.getHeader("content-length");
          if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBytes) {
            response.request().reset();
            result.tryComplete(tooLarge(length + " bytes"));
            return;
          }
          Buffer body = Buffer.buffer();
          response.handler(chunk -> {
            if (body.length() + chunk.length() > maxBytes) {
              result.tryComplete(tooLarge("more than " + maxBytes + " bytes"));
              response.request().reset();
            } else if (!result.future().isComplete()) {
              body.appendBuffer(chunk);
            }
          });
          response.exceptionHandler(e -> result.tryComplete(new Fetched(null, "unreachable: " + e.getMessage(), false)));
          response.endHandler(v -> result.tryComplete(new Fetched(body, null, false)));
        });
    return result.future();
  }

  private Fetched tooLarge(String size) {
    return new Fetched(null, "the answer is " + size + ", over the " + maxBytes + "-byte limit for a manifest", true);
  }

  @Override
  public void close() {
    client.close();
  }
}
