package dev.cohort.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cohort.server.http.HttpServers;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The reference: a bare Jetty 12 endpoint that reads a small JSON object with Jackson and answers
 * with another, {@code {"name":"Ada"}} → {@code {"greeting":"Hello, Ada!"}}. It is built by the
 * node's own {@link HttpServers#start} (same thread pool, virtual threads, connector and graceful
 * handler), so that the only difference to the node's primary port is the invoke pipeline.
 */
final class ReferenceServer implements AutoCloseable {

  static final String PATH = "/json";

  private final Server server;

  private ReferenceServer(Server server) {
    this.server = server;
  }

  /** Starts the endpoint on {@code host} and a free port. */
  static ReferenceServer start(String host) throws Exception {
    return new ReferenceServer(
        HttpServers.start("reference", host, 0, new JsonHandler(), Duration.ofSeconds(5)));
  }

  int port() {
    return HttpServers.port(server);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted while stopping the reference server", e);
    } catch (Exception e) {
      throw new BenchException("could not stop the reference server: " + e, e);
    }
  }

  /** The whole application of the reference. Blocking, like the node's handlers. */
  private static final class JsonHandler extends Handler.Abstract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] BAD_REQUEST =
        "{\"error\":\"send a JSON object to POST /json\"}".getBytes(StandardCharsets.UTF_8);

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!request.getMethod().equals("POST") || !PATH.equals(request.getHttpURI().getPath())) {
        send(response, 400, BAD_REQUEST, callback);
        return true;
      }
      JsonNode input;
      try (InputStream body = Request.asInputStream(request)) {
        input = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        send(response, 400, BAD_REQUEST, callback);
        return true;
      }
      if (input == null || !input.isObject()) {
        send(response, 400, BAD_REQUEST, callback);
        return true;
      }
      String name = input.path("name").asText("World");
      byte[] output =
          JSON.writeValueAsBytes(JSON.createObjectNode().put("greeting", "Hello, " + name + "!"));
      send(response, 200, output, callback);
      return true;
    }

    private static void send(Response response, int status, byte[] body, Callback callback) {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }
}
