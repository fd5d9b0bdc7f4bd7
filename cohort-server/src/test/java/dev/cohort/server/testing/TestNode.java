package dev.cohort.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cohort.server.CohortNode;
import dev.cohort.server.config.ConfigLoader;
import dev.cohort.server.config.ConfigSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A real node on random loopback ports with its own data directory, for in-process HTTP tests,
 * and a small HTTP client for it.
 */
public final class TestNode implements AutoCloseable {

  public static final String ADMIN_PASSWORD = "test-admin-password";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CohortNode node;
  private final HttpClient http;
  private final ByteArrayOutputStream console;

  private TestNode(CohortNode node, ByteArrayOutputStream console) {
    this.node = node;
    this.console = console;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** A builder for a node in {@code dataDir} serving the packages in {@code packagesDir}. */
  public static Builder builder(Path dataDir, Path packagesDir) {
    return new Builder(dataDir, packagesDir);
  }

  /** Configures a test node. */
  public static final class Builder {
    private final Map<String, String> sets = new LinkedHashMap<>();
    private Optional<String> adminPassword = Optional.of(ADMIN_PASSWORD);
    private InstantSource clock = InstantSource.system();

    Builder(Path dataDir, Path packagesDir) {
      sets.put("node.name", "test-node");
      sets.put("node.data-dir", dataDir.toString());
      sets.put("packages.dir", packagesDir.toString());
      sets.put("http.host", "127.0.0.1");
      sets.put("http.port", "0");
      sets.put("admin.port", "0");
      sets.put("node.shutdown-timeout", "10s");
      sets.put("security.password-hash.memory-kib", "8192");
      sets.put("security.password-hash.iterations", "1");
    }

    public Builder set(String key, String value) {
      sets.put(key, value);
      return this;
    }

    /** No preset password: the node generates one and prints it to the console. */
    public Builder generatedAdminPassword() {
      adminPassword = Optional.empty();
      return this;
    }

    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    public TestNode start() {
      ConfigSources sources = ConfigSources.none();
      for (Map.Entry<String, String> e : sets.entrySet()) {
        sources = sources.with(e.getKey(), e.getValue());
      }
      ByteArrayOutputStream console = new ByteArrayOutputStream();
      CohortNode node =
          CohortNode.start(
              ConfigLoader.load(sources).config(),
              new CohortNode.Environment(
                  adminPassword, new PrintStream(console, true, StandardCharsets.UTF_8), clock));
      return new TestNode(node, console);
    }
  }

  public CohortNode node() {
    return node;
  }

  /** What the node printed to its console (the first-start banner). */
  public String console() {
    return console.toString(StandardCharsets.UTF_8);
  }

  public URI url(String path) {
    return URI.create("http://127.0.0.1:" + node.port() + path);
  }

  public URI adminUrl(String path) {
    return URI.create("http://127.0.0.1:" + node.adminPort() + path);
  }

  /** A POST with a JSON body to the primary port. */
  public Call post(String path, String json) {
    return new Call(this, url(path), "POST", json);
  }

  public Call delete(String path) {
    return new Call(this, url(path), "DELETE", null);
  }

  public Call get(String path) {
    return new Call(this, url(path), "GET", null);
  }

  /** A request to the admin port. */
  public Call admin(String method, String path, String json) {
    return new Call(this, adminUrl(path), method, json);
  }

  /** A request being built. */
  public static final class Call {
    private final TestNode node;
    private final HttpRequest.Builder builder;
    private final String method;
    private final String body;

    Call(TestNode node, URI uri, String method, String body) {
      this.node = node;
      this.method = method;
      this.body = body;
      this.builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
      if (body != null) {
        builder.header("Content-Type", "application/json");
      }
    }

    public Call basic(String user, String password) {
      builder.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
      return this;
    }

    public Call asAdmin() {
      return basic("Administrator", ADMIN_PASSWORD);
    }

    public Call header(String name, String value) {
      builder.setHeader(name, value);
      return this;
    }

    public Call session(String id) {
      return header("X-Cohort-Session", id);
    }

    public Call cookie(String id) {
      return header("Cookie", "cohort_session=" + id);
    }

    public Reply send() {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body);
      try {
        HttpResponse<String> response =
            node.http.send(builder.method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** A response. */
  public record Reply(HttpResponse<String> response) {

    public int status() {
      return response.statusCode();
    }

    public String body() {
      return response.body();
    }

    public JsonNode json() {
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + response.body(), e);
      }
    }

    public Optional<String> header(String name) {
      return response.headers().firstValue(name);
    }

    /** The session id the node asks the client to use next. */
    public String sessionId() {
      return header("X-Cohort-Session").orElseThrow(() -> new AssertionError("no X-Cohort-Session in " + this));
    }

    /** The error code of a JSON error reply. */
    public String errorCode() {
      return json().path("error").path("code").asText();
    }

    @Override
    public String toString() {
      return status() + " " + response.headers().map() + " " + body();
    }
  }

  @Override
  public void close() {
    node.close();
  }
}
