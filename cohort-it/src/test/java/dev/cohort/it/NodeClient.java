package dev.cohort.it;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * HTTP to the nodes of a test cluster: the Samples cart as a client would call it (credentials
 * once, then the session id alone), and the health and admin endpoints as a load balancer or an
 * operator would.
 */
final class NodeClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String basicAuth;
  private final Duration timeout;

  /**
   * @param adminPassword the Administrator's password
   * @param timeout how long one request may take before it counts as failed
   */
  NodeClient(String adminPassword, Duration timeout) {
    this.basicAuth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("Administrator:" + adminPassword).getBytes(StandardCharsets.UTF_8));
    this.timeout = timeout;
  }

  /** A service call's answer: its status, its body and the session id the node sent back. */
  record Reply(int status, String body, Optional<String> session) {

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (status " + status + "): " + body, e);
      }
    }

    /** The {@code COH-...} code of an error reply, or the start of the body if it has none. */
    String errorCode() {
      try {
        JsonNode code = JSON.readTree(body).path("code");
        if (!code.isMissingNode()) {
          return code.asText();
        }
      } catch (IOException e) {
        // not JSON: fall through
      }
      return body.length() > 80 ? body.substring(0, 80) : body;
    }
  }

  /**
   * {@code samples.cart:addItem} in the session {@code session}, or with the Administrator's
   * credentials (a new session) when it is empty.
   *
   * @throws java.net.ConnectException if the node could not be reached (nothing was sent)
   * @throws IOException if the exchange broke off or timed out (the item may have been added)
   */
  Reply addItem(NodeProcess node, Optional<String> session, String item)
      throws IOException, InterruptedException {
    return invoke(node, "samples.cart/addItem", session, "{\"item\":\"" + item + "\"}");
  }

  /** The items of the cart in {@code session}, as {@code node} reads them; fails unless 200. */
  List<String> listItems(NodeProcess node, String session) throws IOException, InterruptedException {
    Reply r = invoke(node, "samples.cart/listItems", Optional.of(session), "{}");
    if (r.status() != 200) {
      throw new AssertionError(
          "listItems on " + node.name + " for session " + abbreviate(session) + ": "
              + r.status() + " " + r.body());
    }
    List<String> items = new ArrayList<>();
    r.json().path("items").forEach(i -> items.add(i.asText()));
    return items;
  }

  private Reply invoke(NodeProcess node, String service, Optional<String> session, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/invoke/" + service))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    session.ifPresentOrElse(
        id -> request.header("X-Cohort-Session", id), () -> request.header("Authorization", basicAuth));
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body(), r.headers().firstValue("X-Cohort-Session"));
  }

  /** The status of {@code GET /health/ready}, or -1 while the node does not answer. */
  int ready(NodeProcess node) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port + "/health/ready"))
                  .timeout(timeout)
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /** {@code GET /admin/api/cluster}: the member list and, in a stateful cluster, the grid view. */
  JsonNode cluster(NodeProcess node) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.adminPort + "/admin/api/cluster"))
                .timeout(timeout)
                .header("Authorization", basicAuth)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError(
          "GET /admin/api/cluster on " + node.name + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** A session id shortened for messages: enough to tell sessions apart, not enough to use one. */
  private static String abbreviate(String session) {
    return session.length() <= 8 ? session : session.substring(0, 8) + "…";
  }
}
