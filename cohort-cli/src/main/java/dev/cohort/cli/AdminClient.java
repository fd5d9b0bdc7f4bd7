package dev.cohort.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** A node's admin API, as the CLI uses it. */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  AdminClient(String adminUrl, String user, String password) {
    this.base = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  JsonNode get(String path) {
    return send(request(path).GET(), path);
  }

  JsonNode post(String path) {
    return post(path, JSON.createObjectNode());
  }

  JsonNode post(String path, JsonNode body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
        path);
  }

  JsonNode delete(String path) {
    return send(request(path).DELETE(), path);
  }

  private HttpRequest.Builder request(String path) {
    try {
      return HttpRequest.newBuilder(URI.create(base + "/admin/api/" + path));
    } catch (IllegalArgumentException e) {
      throw new CliException("'" + base + "' is not a URL; give --admin like http://host:9999");
    }
  }

  private JsonNode send(HttpRequest.Builder request, String path) {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request.header("Authorization", authorization).timeout(Duration.ofSeconds(120)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CliException("cannot connect to " + base + "; is the node running and --admin right?");
    } catch (IOException e) {
      throw new CliException("talking to " + base + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new CliException(base + " answered " + response.statusCode() + " with something that is not JSON");
    }
    if (response.statusCode() >= 400) {
      throw new CliException(
          path + ": " + response.statusCode() + " " + body.path("error").path("code").asText()
              + ": " + body.path("error").path("message").asText());
    }
    return body;
  }
}
