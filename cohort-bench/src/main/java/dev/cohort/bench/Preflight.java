package dev.cohort.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Calls each target a few times before any load, to prove that it answers as the load script
 * expects: the reference and greet with their greeting, greet keeping the session it hands out
 * when the client sends it back, and addItem counting up in its session. A benchmark of errors, or
 * of a path the load does not really take, would be worthless.
 */
final class Preflight {

  private static final String SESSION_HEADER = "X-Cohort-Session";

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /**
   * Checks the reference at {@code referenceUrl} and the node's services.
   *
   * @throws BenchException saying which check failed and what came back
   */
  void check(String referenceUrl, BenchNode node, Target reference, Target greet, Target addItem)
      throws IOException, InterruptedException {
    expectOk(send(referenceUrl, reference, Optional.empty()), reference);

    HttpResponse<String> first = expectOk(send(node.baseUrl(), greet, Optional.empty()), greet);
    String session = sessionOf(first, greet);
    int sessions = node.sessionCount();
    HttpResponse<String> second =
        expectOk(send(node.baseUrl(), greet, Optional.of(session)), greet);
    if (!session.equals(sessionOf(second, greet)) || node.sessionCount() != sessions) {
      throw new BenchException(
          greet.label() + " did not keep its session when the client sent it back: the load"
              + " would create a session per call");
    }

    HttpResponse<String> added = expectOk(send(node.baseUrl(), addItem, Optional.empty()), addItem);
    String cart = sessionOf(added, addItem);
    HttpResponse<String> again =
        expectOk(send(node.baseUrl(), addItem, Optional.of(cart)), addItem);
    if (!added.body().contains("\"count\":1") || !again.body().contains("\"count\":2")) {
      throw new BenchException(
          addItem.label() + " did not count up in its session: " + added.body() + " then "
              + again.body());
    }
  }

  private HttpResponse<String> send(String baseUrl, Target target, Optional<String> session)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + target.path()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(target.body()));
    target.authorization().ifPresent(a -> request.header("Authorization", a));
    session.ifPresent(id -> request.header(SESSION_HEADER, id));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> expectOk(HttpResponse<String> response, Target target) {
    if (response.statusCode() != 200 || !response.body().contains(target.expect())) {
      throw new BenchException(
          target.label() + " answered " + response.statusCode() + " " + response.body()
              + " (expected 200 with " + target.expect() + ")");
    }
    return response;
  }

  private static String sessionOf(HttpResponse<String> response, Target target) {
    return response
        .headers()
        .firstValue(SESSION_HEADER)
        .orElseThrow(
            () -> new BenchException(target.label() + " answered without " + SESSION_HEADER));
  }
}
