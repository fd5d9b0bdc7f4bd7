package dev.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/** A small HTTP/1.1 client for the benchmarks' own calls (setup, checks, the failover client). */
final class Client {

  static final String SESSION_HEADER = "X-Cohort-Session";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One response.
   *
   * @param status the HTTP status
   * @param body the body as text
   * @param session the {@code X-Cohort-Session} header, if any
   */
  record Reply(int status, String body, Optional<String> session) {

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    /** This reply, if it is a 200; otherwise a {@link BenchException} saying what {@code what} got. */
    Reply ok(String what) {
      if (status != 200) {
        throw new BenchException(what + " answered " + status + " " + body);
      }
      return this;
    }
  }

  private final HttpClient http;
  private final Duration timeout;

  /** @param timeout how long one request may take */
  Client(Duration timeout) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.timeout = timeout;
  }

  /** {@code POST url} with a JSON {@code body}, the {@code authorization} and {@code session}. */
  Reply post(String url, String body, Optional<String> authorization, Optional<String> session)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    authorization.ifPresent(a -> request.header("Authorization", a));
    session.ifPresent(id -> request.header(SESSION_HEADER, id));
    return send(request.build());
  }

  /** {@code GET url} with {@code authorization}. */
  Reply get(String url, String authorization) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Authorization", authorization)
            .GET()
            .build());
  }

  private Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(), response.body(), response.headers().firstValue(SESSION_HEADER));
  }

  /** The {@code Authorization} header of HTTP Basic for {@code user}. */
  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code value} as a JSON string literal. */
  static String quote(String value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
