package dev.cohort.server.http;

import static dev.cohort.server.testing.ErrorAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.testing.LogCapture;
import dev.cohort.server.testing.TestNode;
import dev.cohort.server.testing.TestNode.Reply;
import dev.cohort.server.testing.TestPackages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** POST /invoke/... on a real node: results, headers and every error the contract names. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvokeHttpTest {

  TestNode node;

  @BeforeAll
  void start(@TempDir Path dir) throws IOException {
    node =
        TestNode.builder(dir.resolve("data"), TestPackages.deployTest(dir.resolve("packages")))
            .set("http.max-body-size", "1KB")
            .start();
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void invokesAServiceAndReturnsItsDocumentWithNodeAndRequestHeaders() {
    Reply reply = node.post("/invoke/test.echo/echo", "{\"name\":\"Ada\",\"n\":3}").asAdmin().send();

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(reply.header("X-Cohort-Node")).hasValue("test-node");
    assertThat(reply.json().path("input").path("name").asText()).isEqualTo("Ada");
    assertThat(reply.json().path("input").path("n").asLong()).isEqualTo(3);
    assertThat(reply.json().path("user").asText()).isEqualTo("Administrator");
    assertThat(reply.json().path("requestId").asText()).isEqualTo(reply.header("X-Request-Id").orElseThrow());
  }

  @Test
  void emptyBodyIsAnEmptyDocument() {
    Reply reply = node.post("/invoke/test.echo/echo", "").asAdmin().send();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("input").size()).isZero();
  }

  @Test
  void malformedJsonIs400WithCodeAndPosition() {
    Reply reply = node.post("/invoke/test.echo/echo", "{\"name\": ").asAdmin().send();
    assertError(reply, 400, "COH-BAD-JSON");
    assertThat(reply.json().path("error").path("message").asText()).contains("line 1");
  }

  @Test
  void trailingContentAfterTheObjectIs400() {
    assertError(node.post("/invoke/test.echo/echo", "{\"a\":1} {\"b\":2}").asAdmin().send(), 400, "COH-BAD-JSON");
  }

  @Test
  void nonObjectBodyIs400() {
    assertError(node.post("/invoke/test.echo/echo", "[1,2]").asAdmin().send(), 400, "COH-NOT-OBJECT");
    assertError(node.post("/invoke/test.echo/echo", "\"x\"").asAdmin().send(), 400, "COH-NOT-OBJECT");
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = "{\"x\":\"" + "a".repeat(2000) + "\"}";
    assertError(node.post("/invoke/test.echo/echo", big).asAdmin().send(), 413, "COH-TOO-LARGE");
  }

  @Test
  void chunkedBodyWithinTheLimitIsReadWhole() throws IOException {
    String response =
        postChunkedAsAdmin(List.of("{\"name\":\"" + "a".repeat(300), "b".repeat(300) + "\"}"));
    assertThat(response).startsWith("HTTP/1.1 200").contains("a".repeat(300) + "b".repeat(300));
  }

  @Test
  void chunkedBodyOverTheLimitIs413WhileReading() throws IOException {
    String response = postChunkedAsAdmin(List.of("{\"x\":\"" + "a".repeat(1500) + "\"}"));
    assertThat(response).startsWith("HTTP/1.1 413").contains("COH-TOO-LARGE");
  }

  /**
   * Posts {@code chunks} to test.echo as the administrator, with {@code Transfer-Encoding: chunked}
   * (so without a declared length), and returns the raw response.
   */
  private String postChunkedAsAdmin(List<String> chunks) throws IOException {
    String auth =
        java.util.Base64.getEncoder()
            .encodeToString(("Administrator:" + TestNode.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    StringBuilder request =
        new StringBuilder(
            "POST /invoke/test.echo/echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    for (String chunk : chunks) {
      request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
    }
    request.append("0\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", node.node().port())) {
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aConnectionStaysUsableAfterAnErrorSentBeforeTheBodyWasRead() throws IOException {
    String body = "{\"padding\":\"" + "p".repeat(500) + "\"}";
    try (Socket socket = new Socket("127.0.0.1", node.node().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      java.io.BufferedReader in =
          new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out.write(
          ("POST /invoke/test.echo/echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  + "Content-Length: " + body.length() + "\r\n\r\n" + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(in.readLine()).startsWith("HTTP/1.1 401");
      int length = 0;
      String line;
      while (!(line = in.readLine()).isEmpty()) {
        assertThat(line).doesNotContainIgnoringCase("connection: close");
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      in.skip(length);
      out.write("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(in.readLine()).as("the second request on the same connection is answered").startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void unknownServiceIs404ForAnAuthenticatedCaller() {
    Reply reply = node.post("/invoke/test.nope/missing", "{}").asAdmin().send();
    assertError(reply, 404, "COH-NO-SERVICE");
    assertThat(reply.body()).contains("test.nope:missing");
  }

  @Test
  void unknownServiceIs401ForAnAnonymousCallerSoServicesCannotBeEnumerated() {
    assertError(node.post("/invoke/test.nope/missing", "{}").send(), 401, "COH-UNAUTHENTICATED");
  }

  @Test
  void noCredentialsIs401WithABasicChallenge() {
    Reply reply = node.post("/invoke/test.echo/echo", "{}").send();
    assertError(reply, 401, "COH-UNAUTHENTICATED");
    assertThat(reply.header("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Basic"));
  }

  @Test
  void wrongPasswordIs401() {
    assertError(
        node.post("/invoke/test.echo/echo", "{}").basic("Administrator", "wrong").send(),
        401,
        "COH-UNAUTHENTICATED");
  }

  @Test
  void anonymousAclLetsAnonymousCallersIn() {
    Reply reply = node.post("/invoke/test.open/ping", "{}").send();
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().path("user").asText()).isEqualTo("Anonymous");
  }

  @Test
  void serviceExceptionIs500WithRequestIdAndNoTraceButTheLogHasIt() {
    try (LogCapture log = new LogCapture()) {
      Reply reply = node.post("/invoke/test.fail/boom", "{}").asAdmin().send();

      assertError(reply, 500, "COH-SERVICE-FAILED");
      String requestId = reply.json().path("error").path("requestId").asText();
      assertThat(requestId).isNotBlank().isEqualTo(reply.header("X-Request-Id").orElseThrow());
      assertThat(reply.body())
          .doesNotContain("internal detail")
          .doesNotContain("IllegalStateException")
          .doesNotContain("\tat ")
          .contains(requestId);
      assertThat(log.messages())
          .anySatisfy(
              m ->
                  assertThat(m)
                      .contains("COH.0200.0001E", "test.fail:boom", "internal detail", "Failing.boom"));
      assertThat(log.events())
          .anySatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("req", requestId).containsEntry("node", "test-node"));
    }
  }

  @Test
  void serviceExceptionMessageMeantForTheCallerIsShown() {
    Reply reply = node.post("/invoke/test.fail/refuse", "{}").asAdmin().send();
    assertError(reply, 500, "COH-SERVICE-FAILED");
    assertThat(reply.body()).contains("the warehouse is closed");
  }

  @Test
  void invalidInputFromTheServiceIs400NamingTheField() {
    Reply reply = node.post("/invoke/test.fail/invalid", "{\"qty\":\"many\"}").asAdmin().send();
    assertError(reply, 400, "COH-INVALID-INPUT");
    assertThat(reply.body()).contains("'qty'");
  }

  @Test
  void aServiceReturningNullIs500() {
    assertError(node.post("/invoke/test.fail/nothing", "{}").asAdmin().send(), 500, "COH-SERVICE-FAILED");
  }

  @Test
  void nonJsonContentTypeIs415() {
    Reply reply =
        node.post("/invoke/test.echo/echo", "{}").asAdmin().header("Content-Type", "text/plain").send();
    assertError(reply, 415, "COH-MEDIA-TYPE");
  }

  @Test
  void getOnAServiceIs405() {
    Reply reply = node.get("/invoke/test.echo/echo").asAdmin().send();
    assertError(reply, 405, "COH-METHOD");
    assertThat(reply.header("Allow")).hasValue("POST");
  }

  @Test
  void unknownPathIs404JsonNotAStackTrace() {
    Reply reply = node.get("/nowhere").send();
    assertError(reply, 404, "COH-NOT-FOUND");
  }

  @Test
  void packagesCannotSeeTheServersLibraries() {
    Reply reply = node.post("/invoke/test.open/reachServer", "{}").send();
    assertThat(reply.json().path("visible").asBoolean()).isFalse();
  }

  @Test
  void aSaneIncomingRequestIdIsKeptAndAHostileOneReplaced() {
    assertThat(node.post("/invoke/test.open/ping", "{}").header("X-Request-Id", "abc-123").send().header("X-Request-Id"))
        .hasValue("abc-123");
    assertThat(node.post("/invoke/test.open/ping", "{}").header("X-Request-Id", "a b\"<script>").send().header("X-Request-Id"))
        .hasValueSatisfying(id -> assertThat(id).matches("[a-z0-9]{16}"));
  }
}
