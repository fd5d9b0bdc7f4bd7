package dev.cohort.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against fake nodes on loopback: real HTTP servers that answer as Cohort nodes do,
 * sockets that read a call and drop the connection, and ports nobody listens on.
 */
class CohortClientTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** A fake node: answers invoke calls with {@code reply}, and the member list with {@code cluster}. */
  final class FakeNode {
    final String name;
    final HttpServer server;
    final List<Map<String, String>> calls = Collections.synchronizedList(new ArrayList<>());
    volatile int status = 200;
    volatile String body = "{\"ok\":true}";
    volatile String epoch = "e1";
    volatile List<FakeNode> cluster = List.of();
    volatile String mode = "stateful";
    /** How many of the next invoke calls to refuse with 503 COH-UNAVAILABLE (a draining node). */
    final java.util.concurrent.atomic.AtomicInteger refuseNext = new java.util.concurrent.atomic.AtomicInteger();

    FakeNode(String name) throws IOException {
      this.name = name;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext("/", this::handle);
      server.start();
      open.add(() -> server.stop(0));
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void stop() {
      server.stop(0);
    }

    private void handle(HttpExchange e) throws IOException {
      Map<String, String> call = new java.util.HashMap<>();
      call.put("path", e.getRequestURI().getPath());
      e.getRequestHeaders().forEach((k, v) -> call.put(k.toLowerCase(), v.get(0)));
      call.put("body", new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      calls.add(call);
      e.getResponseHeaders().add("X-Cohort-Node", name);
      e.getResponseHeaders().add("X-Cohort-Epoch", epoch);
      e.getResponseHeaders().add("X-Cohort-Session", "session-" + call.getOrDefault("x-cohort-session", "new"));
      String reply;
      int code;
      if (e.getRequestURI().getPath().equals("/cluster/members")) {
        StringBuilder members = new StringBuilder();
        for (FakeNode n : cluster) {
          members.append(members.isEmpty() ? "" : ",")
              .append("{\"name\":\"").append(n.name).append("\",\"url\":\"").append(n.url()).append("\"}");
        }
        reply = "{\"cluster\":\"c\",\"epoch\":\"" + epoch + "\",\"mode\":\"" + mode + "\",\"members\":[" + members + "]}";
        code = 200;
      } else if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        reply = "{\"error\":{\"code\":\"COH-UNAVAILABLE\",\"message\":\"this node is starting\"}}";
        code = 503;
      } else {
        reply = body;
        code = status;
      }
      byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
      e.getResponseHeaders().add("Content-Type", "application/json");
      e.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = e.getResponseBody()) {
        out.write(bytes);
      }
    }

    long invokes() {
      return calls.stream().filter(c -> c.get("path").startsWith("/invoke/")).count();
    }
  }

  /** A node that reads each call whole and then drops the connection without a reply. */
  final class DroppingNode {
    final ServerSocket socket;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    DroppingNode() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      open.add(socket);
      Thread.ofVirtual().start(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            requests.add(readRequest(s.getInputStream()));
            s.setSoLinger(true, 0); // reset, as a process killed mid-call
          } catch (IOException e) {
            return;
          }
        }
      });
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private static String readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static URI nobodyListening() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }

  /** A client that goes round the servers once per call (the failover rounds have their own test). */
  private CohortClient client(CohortClient.Builder b) {
    return build(b.failoverTimeout(Duration.ZERO));
  }

  private CohortClient build(CohortClient.Builder b) {
    CohortClient c = b.credentials("alice", "pa55-word-XYZ").requestTimeout(Duration.ofSeconds(10)).build();
    open.add(c);
    return c;
  }

  @Test
  void callsAServiceWithCredentialsAndCarriesTheSessionFromCallToCall() throws IOException {
    FakeNode a = new FakeNode("a");
    a.cluster = List.of(a);
    a.body = "{\"count\":1}";
    CohortClient client = client(CohortClient.builder().servers(a.url()));

    JsonNode first = client.invoke("samples.cart:addItem", Map.of("item", "book"));
    client.invoke("samples.cart:addItem", Map.of("item", "pen"));

    assertThat(first.path("count").asInt()).isEqualTo(1);
    List<Map<String, String>> invokes = a.calls.stream().filter(c -> c.get("path").startsWith("/invoke/")).toList();
    assertThat(invokes.get(0).get("path")).isEqualTo("/invoke/samples.cart/addItem");
    assertThat(invokes.get(0).get("body")).isEqualTo("{\"item\":\"book\"}");
    assertThat(invokes.get(0).get("authorization"))
        .isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:pa55-word-XYZ".getBytes(StandardCharsets.UTF_8)));
    assertThat(invokes.get(0)).doesNotContainKey("x-cohort-session");
    assertThat(invokes.get(1).get("x-cohort-session")).isEqualTo("session-new");
    assertThat(client.session()).contains("session-session-new");
  }

  /** What a service returns, as a POJO. */
  public record Cart(List<String> items, int count) {}

  /** What a service takes, as a POJO. */
  public record Item(String item) {}

  @Test
  void readsAndWritesPojos() throws IOException {
    FakeNode a = new FakeNode("a");
    a.cluster = List.of(a);
    a.body = "{\"items\":[\"book\"],\"count\":1}";
    CohortClient client = client(CohortClient.builder().servers(a.url()));

    Cart cart = client.invoke("samples.cart:addItem", new Item("book"), Cart.class);

    assertThat(cart).isEqualTo(new Cart(List.of("book"), 1));
    assertThat(a.calls.get(a.calls.size() - 1).get("body")).isEqualTo("{\"item\":\"book\"}");
  }

  @Test
  void errorsBecomeTypedExceptionsWithWhatTheServerSaid() throws IOException {
    FakeNode a = new FakeNode("a");
    a.cluster = List.of(a);
    CohortClient client = client(CohortClient.builder().servers(a.url()));

    a.status = 500;
    a.body = "{\"error\":{\"code\":\"COH-SERVICE-FAILED\",\"message\":\"out of stock\",\"requestId\":\"r-42\"}}";
    assertThatThrownBy(() -> client.invoke("shop:buy", Map.of()))
        .isInstanceOfSatisfying(ServiceFailedException.class, e -> {
          assertThat(e.status()).isEqualTo(500);
          assertThat(e.code()).isEqualTo("COH-SERVICE-FAILED");
          assertThat(e.requestId()).isEqualTo("r-42");
          assertThat(e.node()).isEqualTo("a");
          assertThat(e).hasMessageContaining("out of stock");
        });
    a.status = 403;
    a.body = "{\"error\":{\"code\":\"COH-FORBIDDEN\",\"message\":\"not in group\",\"requestId\":\"r-43\"}}";
    assertThatThrownBy(() -> client.invoke("shop:buy", Map.of())).isInstanceOf(AccessDeniedException.class);
    a.status = 401;
    assertThatThrownBy(() -> client.invoke("shop:buy", Map.of())).isInstanceOf(AccessDeniedException.class);
    a.status = 409;
    a.body = "{\"error\":{\"code\":\"COH-SESSION-CONFLICT\",\"message\":\"x\",\"requestId\":\"r\"}}";
    assertThatThrownBy(() -> client.invoke("shop:buy", Map.of()))
        .isInstanceOfSatisfying(ServiceFailedException.class, e -> assertThat(e.code()).isEqualTo("COH-SESSION-CONFLICT"));
    assertThat(a.invokes()).as("none of these is sent twice").isEqualTo(4);
  }

  @Test
  void learnsTheMembersAndFailsOverToTheNextWithTheSameSession() throws IOException {
    FakeNode a = new FakeNode("a");
    FakeNode b = new FakeNode("b");
    a.cluster = List.of(a, b);
    b.cluster = List.of(a, b);
    CohortClient client = client(CohortClient.builder().servers(a.url()));
    client.invoke("samples.cart:addItem", Map.of("item", "book"));
    assertThat(client.members()).containsExactly(a.url(), b.url());
    assertThat(client.clusterMode()).isEqualTo("stateful");

    a.stop();
    client.invoke("samples.cart:addItem", Map.of("item", "pen"));

    assertThat(b.invokes()).isEqualTo(1);
    Map<String, String> onB = b.calls.stream().filter(c -> c.get("path").startsWith("/invoke/")).findFirst().orElseThrow();
    assertThat(onB.get("x-cohort-session")).isEqualTo("session-new");
    assertThat(onB.get("authorization")).startsWith("Basic ");
    assertThat(client.currentServer()).isEqualTo(b.url());
  }

  @Test
  void aCallWhoseServerDropsItAfterReadingItHasAnUnknownOutcomeAndIsNotRepeated() throws IOException {
    DroppingNode a = new DroppingNode();
    FakeNode b = new FakeNode("b");
    CohortClient client = client(CohortClient.builder().servers(a.url(), b.url()));

    assertThatThrownBy(() -> client.invoke("samples.cart:addItem", Map.of("item", "book")))
        .isInstanceOf(OutcomeUnknownException.class)
        .hasMessageContaining("outcome of samples.cart:addItem is unknown");
    assertThat(a.requests.stream().filter(r -> r.startsWith("POST"))).hasSize(1);
    assertThat(b.invokes()).as("not repeated on the next member").isZero();
  }

  @Test
  void idempotentCallsAndCallsWithAKeyAreRepeatedOnTheNextMember() throws IOException {
    DroppingNode a = new DroppingNode();
    FakeNode b = new FakeNode("b");
    CohortClient client = client(CohortClient.builder().servers(a.url(), b.url()));

    client.invoke("samples.cart:listItems", Map.of(), Call.idempotent());
    assertThat(b.invokes()).isEqualTo(1);

    CohortClient other = client(CohortClient.builder().servers(a.url(), b.url()));
    other.invoke("samples.cart:addItem", Map.of("item", "book"), Call.idempotencyKey("order-7"));
    assertThat(a.requests.get(a.requests.size() - 1)).containsIgnoringCase("Idempotency-Key: order-7");
    assertThat(b.calls.get(b.calls.size() - 1).get("idempotency-key")).isEqualTo("order-7");
  }

  @Test
  void aNodeThatRefusesBeforeRunningIsSkippedButASessionStoreFailureIsNot() throws IOException {
    FakeNode a = new FakeNode("a");
    FakeNode b = new FakeNode("b");
    CohortClient client = client(CohortClient.builder().servers(a.url(), b.url()));
    a.status = 503;
    a.body = "{\"error\":{\"code\":\"COH-UNAVAILABLE\",\"message\":\"this node is draining\"}}";

    client.invoke("samples.cart:addItem", Map.of("item", "book"));
    assertThat(b.invokes()).isEqualTo(1);

    b.status = 503;
    b.body = "{\"error\":{\"code\":\"COH-SESSION-UNAVAILABLE\",\"message\":\"not saved\"}}";
    assertThatThrownBy(() -> client.invoke("samples.cart:addItem", Map.of("item", "pen")))
        .isInstanceOf(OutcomeUnknownException.class);
    assertThat(a.invokes()).as("a is not tried again for a call that may have run").isEqualTo(1);
  }

  @Test
  void whileEveryServerRefusesTheCallGoesRoundAgainUntilTheFailoverTimeout() throws IOException {
    FakeNode a = new FakeNode("a");
    FakeNode b = new FakeNode("b");
    a.refuseNext.set(3);
    b.refuseNext.set(3);
    CohortClient patient =
        build(CohortClient.builder().servers(a.url(), b.url()).failoverTimeout(Duration.ofSeconds(20)));

    patient.invoke("samples.hello:greet", Map.of());

    assertThat(a.invokes() + b.invokes()).as("three refused rounds, then one answer").isEqualTo(7);

    a.refuseNext.set(1000);
    b.refuseNext.set(1000);
    CohortClient brief =
        build(CohortClient.builder().servers(a.url(), b.url()).failoverTimeout(Duration.ofMillis(500)));
    long start = System.nanoTime();
    assertThatThrownBy(() -> brief.invoke("samples.hello:greet", Map.of()))
        .isInstanceOf(UnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void withoutRedirectOnlyTheFirstServerAndThenTheRetryServerAreTried() throws IOException {
    URI down = nobodyListening();
    FakeNode member = new FakeNode("member");
    CohortClient noRetry = client(CohortClient.builder().servers(down, member.url()).allowRedirect(false));
    assertThatThrownBy(() -> noRetry.invoke("samples.hello:greet", Map.of()))
        .isInstanceOfSatisfying(UnavailableException.class, e -> assertThat(e.attempts()).hasSize(1));
    assertThat(member.invokes()).isZero();

    FakeNode retry = new FakeNode("retry");
    CohortClient withRetry =
        client(CohortClient.builder().servers(down, member.url()).allowRedirect(false).retryServer(retry.url()));
    withRetry.invoke("samples.hello:greet", Map.of());
    assertThat(member.invokes()).isZero();
    assertThat(retry.invokes()).isEqualTo(1);
  }

  @Test
  void theRetryServerTakesTheCallWhenEveryMemberIsDown() throws IOException {
    FakeNode retry = new FakeNode("retry");
    CohortClient client =
        client(CohortClient.builder().servers(nobodyListening(), nobodyListening()).retryServer(retry.url()));

    client.invoke("samples.hello:greet", Map.of("name", "x"));

    assertThat(retry.invokes()).isEqualTo(1);
  }

  @Test
  void aNewEpochRefreshesTheMembersSoANewMemberIsUsedWhenTheOldOnesDie() throws IOException {
    FakeNode a = new FakeNode("a");
    FakeNode c = new FakeNode("c");
    a.cluster = List.of(a);
    CohortClient client = client(CohortClient.builder().servers(a.url()));
    client.invoke("samples.hello:greet", Map.of());
    assertThat(client.members()).containsExactly(a.url());

    // c joins: a's replies now carry a new epoch and its member list names c.
    a.cluster = List.of(a, c);
    a.epoch = "e2";
    client.invoke("samples.hello:greet", Map.of());
    client.invoke("samples.hello:greet", Map.of());
    assertThat(client.members()).containsExactly(a.url(), c.url());

    a.stop();
    client.invoke("samples.hello:greet", Map.of());
    assertThat(c.invokes()).isEqualTo(1);
  }

  @Test
  void withoutAMemberListTheConfiguredServersAreTheMembers() throws IOException {
    FakeNode a = new FakeNode("a");
    FakeNode b = new FakeNode("b");
    // Neither lists members (an old server or a proxy in front): the client keeps its own list.
    CohortClient client = client(CohortClient.builder().servers(a.url(), b.url()));
    client.invoke("samples.hello:greet", Map.of());
    assertThat(client.members()).containsExactly(a.url(), b.url());
    a.stop();
    client.invoke("samples.hello:greet", Map.of());
    assertThat(b.invokes()).isEqualTo(1);
  }

  @Test
  void theConfiguredServersStillServeWhenTheMembersAdvertiseAddressesThatDoNotReach() throws IOException {
    FakeNode ghost = new FakeNode("ghost");
    URI unreachable = ghost.url();
    ghost.stop();
    FakeNode a = new FakeNode("a");
    // a advertises itself under an address this client cannot reach (e.g. a host name).
    a.cluster = List.of(ghost);
    CohortClient client = client(CohortClient.builder().servers(a.url()));

    client.invoke("samples.hello:greet", Map.of());

    assertThat(client.members()).containsExactly(unreachable);
    assertThat(a.invokes()).isEqualTo(1);
  }

  @Test
  void thePasswordNeverShows() throws IOException {
    URI down = nobodyListening();
    CohortClient client = client(CohortClient.builder().servers(down));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      client.invoke("samples.hello:greet", Map.of());
    } catch (UnavailableException e) {
      failure.set(e);
    }
    assertThat(failure.get()).isNotNull();
    assertThat(failure.get().getMessage()).doesNotContain("pa55-word-XYZ");
    assertThat(client.toString()).contains("alice").doesNotContain("pa55-word-XYZ");
  }

  @Test
  void refusesABadServiceNameOrANonObjectInput() throws IOException {
    FakeNode a = new FakeNode("a");
    CohortClient client = client(CohortClient.builder().servers(a.url()));
    assertThatThrownBy(() -> client.invoke("no-colon", Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.invoke("a:b", List.of(1, 2))).isInstanceOf(IllegalArgumentException.class);
    assertThat(a.invokes()).isZero();
  }
}
