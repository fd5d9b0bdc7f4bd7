package dev.cohort.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A client of a Cohort server or cluster (the seeds' {@code Context}): it calls services by name
 * and treats the cluster's members as one server.
 *
 * <pre>{@code
 * try (CohortClient client = CohortClient.builder()
 *     .servers(URI.create("http://node-1:5555"), URI.create("http://node-2:5555"))
 *     .credentials("alice", password)
 *     .build()) {
 *   JsonNode cart = client.invoke("samples.cart:addItem", Map.of("item", "book"));
 * }
 * }</pre>
 *
 * <p><b>Cluster.</b> On its first call the client asks a server for the cluster's live members
 * ({@code GET /cluster/members}) and asks again whenever a reply's {@code X-Cohort-Epoch} shows
 * the membership changed. It sticks to one member, so a conversation's calls meet its session
 * there first, and moves on to the next member when that one fails, carrying the same session id
 * and credentials.
 *
 * <p><b>What is retried.</b> A call that never reached a server (connection refused, connect
 * timeout) or that a server refused before running it (503 {@code COH-UNAVAILABLE}, {@code
 * COH-SESSIONS-FULL}) goes to the next member, then to the {@linkplain Builder#retryServer retry
 * server}. A call that was sent and whose server failed before answering (connection reset, reply
 * timeout, 503 {@code COH-SESSION-UNAVAILABLE}) may have run: it is sent again only if it is
 * {@linkplain Call#idempotent() idempotent} or carries an {@linkplain Call#idempotencyKey(String)
 * idempotency key}, otherwise it fails with {@link OutcomeUnknownException}. Each server is tried
 * at most once per round; while every server fails that way, the call goes round again after a
 * short pause, for up to the {@linkplain Builder#failoverTimeout failover timeout} (a node dying
 * or a cluster changing members takes a moment), then fails with {@link UnavailableException}.
 *
 * <p><b>Threads.</b> One client may be used by many threads; they share its session (one
 * conversation). Use one client per conversation.
 */
public final class CohortClient implements AutoCloseable {

  static final String SESSION_HEADER = "X-Cohort-Session";
  static final String EPOCH_HEADER = "X-Cohort-Epoch";
  static final String NODE_HEADER = "X-Cohort-Node";
  /** The state of a guaranteed-delivery transaction a reply is about (see {@link TContext}). */
  static final String TX_STATE_HEADER = "X-Cohort-Tx-State";

  private final List<URI> configured;
  private final Optional<URI> retryServer;
  private final boolean allowRedirect;
  private final String authorization;
  private final String user;
  private final Duration requestTimeout;
  private final Duration failoverTimeout;
  private final ObjectMapper mapper;
  private final HttpClient http;

  private final Object lock = new Object();
  private List<URI> members;
  private String mode = "";
  private int current;
  private String epoch;
  private boolean stale = true;
  private String session;

  private CohortClient(Builder b) {
    this.configured = List.copyOf(b.servers);
    this.retryServer = Optional.ofNullable(b.retryServer);
    this.allowRedirect = b.allowRedirect;
    this.user = b.user;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((b.user + ":" + new String(b.password)).getBytes(StandardCharsets.UTF_8));
    this.requestTimeout = b.requestTimeout;
    this.failoverTimeout = b.failoverTimeout;
    this.mapper = b.mapper != null ? b.mapper : new ObjectMapper();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(b.connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.members = configured;
  }

  /** A builder; {@link Builder#servers} and {@link Builder#credentials} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Runs {@code service} ({@code folder.sub:name}) with {@code input}; returns its output. */
  public JsonNode invoke(String service, Object input) {
    return invoke(service, input, Call.defaults());
  }

  /** Runs {@code service} with {@code input} and reads its output as {@code resultType}. */
  public <T> T invoke(String service, Object input, Class<T> resultType) {
    return convert(invoke(service, input, Call.defaults()), resultType);
  }

  /** Runs {@code service} with {@code input} the way {@code call} says. */
  public <T> T invoke(String service, Object input, Call call, Class<T> resultType) {
    return convert(invoke(service, input, call), resultType);
  }

  /**
   * Runs {@code service} with {@code input} (a {@code Map}, a {@code JsonNode} or any object
   * Jackson writes as a JSON object) the way {@code call} says.
   *
   * @throws AccessDeniedException 401 or 403
   * @throws ServiceFailedException any other error the server answered with
   * @throws OutcomeUnknownException the call may have run on a server that then failed
   * @throws UnavailableException no server could take the call; it did not run
   */
  public JsonNode invoke(String service, Object input, Call call) {
    String path = "/invoke/" + servicePath(service);
    Reply reply = send("POST", path, Optional.of(inputOf(service, input)), Map.of(), call, service);
    if (reply.status() == 200) {
      return readJson(reply.body(), service);
    }
    throw errorReply(reply);
  }

  /** A server's reply to {@link #send}: its HTTP status, headers and body. */
  record Reply(int status, HttpHeaders headers, byte[] body) {

    static Reply of(HttpResponse<byte[]> response) {
      return new Reply(response.statusCode(), response.headers(), response.body());
    }

    Optional<String> header(String name) {
      return headers.firstValue(name);
    }
  }

  /**
   * Sends one request ({@code method} {@code path}, with {@code body} as JSON and the extra {@code
   * headers}) to the cluster with the failover {@link #invoke(String, Object, Call)} has, and the
   * same credentials and session; {@code what} names the request in exceptions. Returns the first
   * reply that is not a 503 the request may go on from, whatever its status.
   *
   * @throws OutcomeUnknownException the request may have been handled by a server that then failed
   *     (only for a call that is not {@linkplain Call#repeatable() repeatable})
   * @throws UnavailableException no server could take the request
   */
  Reply send(String method, String path, Optional<JsonNode> body, Map<String, String> headers, Call call, String what) {
    byte[] bytes = body.map(tree -> writeJson(tree, what)).orElse(null);
    List<String> attempts = new ArrayList<>();
    long deadline = System.nanoTime() + failoverTimeout.toNanos();
    for (int round = 0; ; round++) {
      if (round > 0) {
        // Every server failed in a way that left the call safe to send again (a node dying, a
        // cluster changing its members): wait a little, learn the members again, go round again.
        long pause = Math.min(1000, 100L << Math.min(round - 1, 4));
        if (System.nanoTime() + pause * 1_000_000 - deadline > 0) {
          break;
        }
        sleep(pause, what);
        synchronized (lock) {
          stale = true;
        }
      }
      refreshIfStale();
      Reply reply = oneRound(method, path, bytes, headers, call, what, attempts);
      if (reply != null) {
        return reply;
      }
    }
    throw new UnavailableException(what, attempts);
  }

  /**
   * Offers the request to each server once, in order. Returns the reply, or null when every server
   * failed in a way that leaves the request safe to send again (each failure added to {@code
   * attempts}); throws for any other outcome.
   */
  private Reply oneRound(
      String method, String path, byte[] body, Map<String, String> headers, Call call, String what, List<String> attempts) {
    for (URI server : targets()) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(server.resolve(path))
              .timeout(call.timeout().orElse(requestTimeout))
              .header("Authorization", authorization)
              .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      String sessionId = sessionOrNull();
      if (sessionId != null) {
        request.header(SESSION_HEADER, sessionId);
      }
      call.idempotencyKey().ifPresent(k -> request.header("Idempotency-Key", k));
      headers.forEach(request::header);
      HttpResponse<byte[]> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (ConnectException | HttpConnectTimeoutException e) {
        attempts.add(server + ": not reachable (" + describe(e) + ")");
        continue;
      } catch (IOException e) {
        attempts.add(server + ": failed after the call was sent (" + describe(e) + ")");
        if (call.repeatable()) {
          continue;
        }
        throw new OutcomeUnknownException(what, attempts, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CohortClientException("interrupted while calling " + what, e);
      }
      int status = response.statusCode();
      noteReply(server, response, status != 503);
      Reply reply = Reply.of(response);
      if (status != 503 || reply.header(TX_STATE_HEADER).isPresent()) {
        // A 503 about a transaction is its service's stored error, not a node refusing.
        return reply;
      }
      ServiceFailedException error = errorReply(reply);
      String code = error.code();
      String message = error.serverMessage();
      if (code.equals("COH-UNAVAILABLE") || code.equals("COH-SESSIONS-FULL")) {
        attempts.add(server + ": refused the call before running it (" + code + ": " + message + ")");
        continue;
      }
      attempts.add(server + ": " + code + ": " + message);
      if (call.repeatable()) {
        continue;
      }
      throw new OutcomeUnknownException(what, attempts, null);
    }
    return null;
  }

  /** What an error reply says: {@link AccessDeniedException} for 401 and 403. */
  ServiceFailedException errorReply(Reply reply) {
    int status = reply.status();
    JsonNode error = errorOf(reply.body());
    String code = error.path("code").asText("");
    String message = error.path("message").asText("HTTP " + status);
    String requestId = error.path("requestId").asText(reply.header("X-Request-Id").orElse(""));
    String node = reply.header(NODE_HEADER).orElse("");
    return status == 401 || status == 403
        ? new AccessDeniedException(status, code, message, requestId, node)
        : new ServiceFailedException(status, code, message, requestId, node);
  }

  /**
   * The path of {@code service} ({@code folder.sub:name}) under an endpoint: {@code folder.sub/name}.
   *
   * @throws IllegalArgumentException the name has no folder or no service part
   */
  static String servicePath(String service) {
    int colon = service.indexOf(':');
    if (colon <= 0 || colon == service.length() - 1) {
      throw new IllegalArgumentException("a service is named folder.subfolder:service, not '" + service + "'");
    }
    return service.substring(0, colon) + "/" + service.substring(colon + 1);
  }

  /**
   * {@code input} (null: no fields) as the JSON object a service takes.
   *
   * @throws IllegalArgumentException it is not written as a JSON object
   */
  ObjectNode inputOf(String service, Object input) {
    JsonNode tree;
    try {
      tree = mapper.valueToTree(input == null ? Map.of() : input);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot write the input of " + service + " as JSON", e);
    }
    if (!(tree instanceof ObjectNode object)) {
      throw new IllegalArgumentException("the input of " + service + " must be a JSON object");
    }
    return object;
  }

  private byte[] writeJson(JsonNode tree, String what) {
    try {
      return mapper.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the body of " + what + " as JSON", e);
    }
  }

  /**
   * The servers to try for one call, in order: the current member, the other members from the
   * next one on and the configured servers not among them, or without redirects only the first
   * server configured; then the retry server.
   * Each at most once.
   */
  private List<URI> targets() {
    Set<URI> order = new LinkedHashSet<>();
    if (allowRedirect) {
      synchronized (lock) {
        int n = members.size();
        for (int i = 0; i < n; i++) {
          order.add(members.get((current + i) % n));
        }
      }
      // A member may advertise a host name this machine cannot resolve; the addresses the
      // application gave still reach it.
      order.addAll(configured);
    } else {
      order.add(configured.get(0));
    }
    retryServer.ifPresent(order::add);
    return List.copyOf(order);
  }

  /**
   * After a reply from {@code server}: keep the session, note a membership change, and stick to
   * the server if it {@code served} (a node that refused the call is not where calls go next).
   */
  private void noteReply(URI server, HttpResponse<?> response, boolean served) {
    synchronized (lock) {
      int at = members.indexOf(server);
      if (at >= 0 && served) {
        current = at;
      }
      response.headers().firstValue(SESSION_HEADER).ifPresent(s -> session = s);
      Optional<String> replyEpoch = response.headers().firstValue(EPOCH_HEADER);
      if (replyEpoch.isPresent() && !replyEpoch.get().equals(epoch)) {
        stale = true;
      }
    }
  }

  private void refreshIfStale() {
    synchronized (lock) {
      if (!stale) {
        return;
      }
    }
    refreshMembers();
  }

  /**
   * Asks the current member, else the others, else the configured servers, for the cluster's live
   * members. Keeps the list it has when none answers (the calls then find out which are alive).
   */
  public void refreshMembers() {
    Set<URI> askable = new LinkedHashSet<>();
    synchronized (lock) {
      stale = false;
      for (int i = 0; i < members.size(); i++) {
        askable.add(members.get((current + i) % members.size()));
      }
    }
    askable.addAll(configured);
    for (URI server : askable) {
      try {
        HttpResponse<byte[]> response =
            http.send(
                HttpRequest.newBuilder(server.resolve("/cluster/members"))
                    .timeout(requestTimeout)
                    .header("Authorization", authorization)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 401 || response.statusCode() == 403) {
          throw errorReply(Reply.of(response));
        }
        if (response.statusCode() != 200) {
          continue;
        }
        JsonNode view = mapper.readTree(response.body());
        List<URI> live = new ArrayList<>();
        for (JsonNode m : view.path("members")) {
          String url = m.path("url").asText("");
          if (!url.isEmpty()) {
            live.add(URI.create(url));
          }
        }
        if (live.isEmpty()) {
          continue;
        }
        synchronized (lock) {
          URI stuckTo = members.get(current % members.size());
          members = List.copyOf(live);
          current = Math.max(0, members.indexOf(stuckTo));
          epoch = view.path("epoch").asText("");
          mode = view.path("mode").asText("");
        }
        return;
      } catch (IOException e) {
        // Try the next one.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The members the client knows (configured servers until it has asked the cluster). */
  public List<URI> members() {
    synchronized (lock) {
      return members;
    }
  }

  /**
   * The cluster's mode as the last member list said: {@code stateful}, {@code stateless} or {@code
   * standalone}; empty before the client has asked.
   */
  public String clusterMode() {
    synchronized (lock) {
      return mode;
    }
  }

  /** The session id the calls carry, once a server has given one. */
  public Optional<String> session() {
    synchronized (lock) {
      return Optional.ofNullable(session);
    }
  }

  private String sessionOrNull() {
    synchronized (lock) {
      return session;
    }
  }

  /** The member calls go to first. */
  public URI currentServer() {
    synchronized (lock) {
      return members.get(current % members.size());
    }
  }

  /** The ObjectMapper the client reads and writes JSON with. */
  ObjectMapper mapper() {
    return mapper;
  }

  /** How long the client waits for one server's reply, unless a {@link Call} says otherwise. */
  Duration requestTimeout() {
    return requestTimeout;
  }

  /** {@code body} (the reply to {@code what}) as JSON. */
  JsonNode readJson(byte[] body, String what) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      throw new CohortClientException("the reply of " + what + " is not JSON", e);
    }
  }

  private JsonNode errorOf(byte[] body) {
    try {
      return mapper.readTree(body).path("error");
    } catch (IOException | RuntimeException e) {
      return mapper.createObjectNode();
    }
  }

  private <T> T convert(JsonNode node, Class<T> type) {
    return convert(mapper, node, type);
  }

  /** {@code node} read as {@code type} with {@code mapper}. */
  static <T> T convert(ObjectMapper mapper, JsonNode node, Class<T> type) {
    try {
      return mapper.treeToValue(node, type);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CohortClientException(
          "cannot read the reply as " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  private static void sleep(long millis, String service) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CohortClientException("interrupted while calling " + service, e);
    }
  }

  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Forgets the session. (The JDK's HttpClient of Java 17 has nothing to close; its connections
   * go when it is no longer referenced.)
   */
  @Override
  public void close() {
    synchronized (lock) {
      session = null;
    }
  }

  @Override
  public String toString() {
    return "CohortClient[" + user + " @ " + members() + retryServer.map(r -> ", retry " + r).orElse("") + "]";
  }

  /** Settings of a {@link CohortClient}. */
  public static final class Builder {
    private final List<URI> servers = new ArrayList<>();
    private String user;
    private char[] password;
    private URI retryServer;
    private boolean allowRedirect = true;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration failoverTimeout = Duration.ofSeconds(15);
    private ObjectMapper mapper;

    private Builder() {}

    /** One or more servers of the cluster; the client learns the other members from them. */
    public Builder servers(URI... urls) {
      for (URI url : urls) {
        servers.add(Objects.requireNonNull(url, "server URL"));
      }
      return this;
    }

    /** The user the calls run as, and its password (sent with every call, HTTP Basic). */
    public Builder credentials(String user, char[] password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    /** The user the calls run as, and its password. */
    public Builder credentials(String user, String password) {
      return credentials(user, Objects.requireNonNull(password, "password").toCharArray());
    }

    /** A server to try when the cluster's members cannot take a call (seed: setRetryServer). */
    public Builder retryServer(URI url) {
      this.retryServer = url;
      return this;
    }

    /**
     * Whether a call may go to other members of the cluster (default true). False: the first
     * server given to {@link #servers} only, then the retry server (seed: setAllowRedir).
     */
    public Builder allowRedirect(boolean allow) {
      this.allowRedirect = allow;
      return this;
    }

    /** How long to wait for a connection to a server (default 2 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** How long to wait for one server's reply (default 60 s); {@link Call#withTimeout} per call. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * How long a call keeps going round the servers while each one fails in a way that leaves it
     * safe to send again (unreachable, refused before running, or failed mid-call for a
     * repeatable call), with short pauses between rounds (default 15 s; zero: one round).
     */
    public Builder failoverTimeout(Duration timeout) {
      this.failoverTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** The ObjectMapper for inputs and results (default: a plain one). */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = mapper;
      return this;
    }

    public CohortClient build() {
      if (servers.isEmpty()) {
        throw new IllegalStateException("name at least one server");
      }
      if (user == null) {
        throw new IllegalStateException("credentials are required");
      }
      return new CohortClient(this);
    }
  }
}
