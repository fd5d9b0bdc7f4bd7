package dev.cohort.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TContext against a fake guaranteed-delivery cluster on loopback: nodes that share one in-memory
 * job store (as real nodes share a database) and speak the protocol of {@code
 * docs/guaranteed-delivery.md}, with faults injected per node: dropping the connection after or
 * while running the service, refusing every request.
 */
class TContextTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final Store store = new Store();
  private final ExecutorService async = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void closeAll() throws Exception {
    open.add(async::shutdownNow);
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  // ---------------------------------------------------------------- the fake cluster

  /** A service the fake nodes run. */
  interface Service {
    JsonNode run(JsonNode input) throws Exception;
  }

  /** What a service throws to fail with a status and code. */
  static final class ServiceError extends RuntimeException {
    final int status;
    final String code;

    ServiceError(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** One transaction in the fake job store; guarded by the store. */
  static final class FakeTx {
    final String tid;
    String state = "NEW";
    String service;
    JsonNode input;
    int attempts;
    int retries;
    int retriesLeft;
    long ttlSeconds;
    Instant expiresAt;
    JsonNode result;
    ServiceError error;
    boolean end;

    FakeTx(String tid, long ttlSeconds, int retries) {
      this.tid = tid;
      this.ttlSeconds = ttlSeconds;
      this.retries = retries;
      this.retriesLeft = retries;
      this.expiresAt = Instant.now().plusSeconds(ttlSeconds);
    }

    boolean settled() {
      return state.equals("DONE") || state.equals("FAILED") || state.equals("IN_DOUBT");
    }
  }

  /** The job store the nodes share, and the services they run. Its monitor guards the transactions. */
  static final class Store {
    final Map<String, FakeTx> txs = new HashMap<>();
    final Map<String, Service> services = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    int executions(String service) {
      return executions.computeIfAbsent(service, s -> new AtomicInteger()).get();
    }

    synchronized Optional<FakeTx> tx(String tid) {
      return Optional.ofNullable(txs.get(tid));
    }

    synchronized void forget(String tid) {
      txs.remove(tid);
    }

    synchronized String state(String tid) {
      return tx(tid).map(t -> t.state).orElse("GONE");
    }
  }

  /** What a node does to the next invoke or submit it gets. */
  enum Fault {
    /** Runs the service, then drops the connection without replying (a node dying at the end). */
    DROP_AFTER_RUNNING,
    /** Starts the service in the background and drops the connection (a node dying mid-call). */
    DROP_WHILE_RUNNING
  }

  /**
   * A request a node got: what the job log held when it arrived, and the status it got (-1:
   * dropped). {@code target} leaves out the query's {@code start}, {@code ttlSeconds} and {@code
   * retries}, which {@code start} has ("" when the request did not start its transaction).
   */
  record Seen(String method, String target, String start, String body, String jobLog, AtomicInteger status) {
    @Override
    public String toString() {
      return method + " " + target + " -> " + status;
    }
  }

  private record Reply(int status, String body, Map<String, String> headers) {}

  /** A fake node on loopback. */
  final class Node {
    final String name;
    final HttpServer server;
    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    final Queue<Fault> faults = new ConcurrentLinkedQueue<>();
    /** Refuse every request with 503 COH-UNAVAILABLE, as a draining node does. */
    volatile boolean refuse;
    /** Ignore {@code start=true} on calls, as a server before it did. */
    volatile boolean ignoreStart;

    Node(String name) throws IOException {
      this.name = name;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      // Platform threads: a status request waits on the store's monitor, which would pin a
      // virtual thread's carrier and hold up the service that is to wake it.
      ExecutorService threads = Executors.newCachedThreadPool();
      server.setExecutor(threads);
      server.createContext("/", this::handle);
      server.start();
      open.add(threads::shutdownNow);
      open.add(() -> server.stop(0));
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Seen> seen(String method, String target) {
      synchronized (seen) {
        return seen.stream().filter(s -> s.method().equals(method) && s.target().equals(target)).toList();
      }
    }

    private void handle(HttpExchange e) throws IOException {
      String method = e.getRequestMethod();
      String path = e.getRequestURI().getPath();
      String query = Optional.ofNullable(e.getRequestURI().getQuery()).orElse("");
      String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      Path log = dir.resolve(JobLog.LOG);
      List<String> rest = new ArrayList<>();
      List<String> start = new ArrayList<>();
      for (String param : query.isEmpty() ? new String[0] : query.split("&")) {
        (param.matches("(start|ttlSeconds|retries)=.*") ? start : rest).add(param);
      }
      Seen s = new Seen(
          method, path + (rest.isEmpty() ? "" : "?" + String.join("&", rest)), String.join("&", start), body,
          Files.exists(log) ? Files.readString(log) : "", new AtomicInteger());
      seen.add(s);
      Reply reply;
      try {
        reply = refuse ? error(503, "COH-UNAVAILABLE", "this node is draining") : route(method, path, query, body);
      } catch (InterruptedException ex) {
        reply = error(500, "COH-INTERNAL", "interrupted");
      }
      if (reply == null) {
        s.status().set(-1);
        e.close(); // no reply: the connection drops
        return;
      }
      s.status().set(reply.status());
      e.getResponseHeaders().add("X-Cohort-Node", name);
      reply.headers().forEach(e.getResponseHeaders()::add);
      if (reply.body().isEmpty()) {
        e.sendResponseHeaders(reply.status(), -1);
        e.close();
        return;
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      e.getResponseHeaders().add("Content-Type", "application/json");
      e.sendResponseHeaders(reply.status(), bytes.length);
      try (OutputStream out = e.getResponseBody()) {
        out.write(bytes);
      }
    }

    private Reply route(String method, String path, String query, String body) throws IOException, InterruptedException {
      String[] p = path.split("/"); // "", "gd", "tx", tid, ...
      if (method.equals("POST") && path.equals("/gd/tx")) {
        return start(JSON.readTree(body));
      }
      if (method.equals("DELETE") && path.equals("/gd/tx") && query.startsWith("tids=")) {
        List<String> running = new ArrayList<>();
        for (String tid : query.substring(5).split(",")) {
          if (end(tid).status() == 409) {
            running.add(tid);
          }
        }
        return running.isEmpty() ? new Reply(204, "", Map.of()) : error(409, "COH-GD-RUNNING", running + " are running");
      }
      if (p.length < 4 || !p[1].equals("gd") || !p[2].equals("tx")) {
        return error(404, "COH-NOT-FOUND", "no such endpoint");
      }
      String tid = p[3];
      if (p.length == 4 && method.equals("GET")) {
        long wait = query.startsWith("waitMillis=") ? Math.min(60_000, Long.parseLong(query.substring(11))) : 0;
        return status(tid, wait);
      }
      if (p.length == 4 && method.equals("DELETE")) {
        return end(tid);
      }
      if (p.length == 5 && method.equals("POST") && p[4].equals("restart")) {
        return restart(tid);
      }
      if (p.length == 7 && method.equals("POST") && (p[4].equals("invoke") || p[4].equals("submit"))) {
        Map<String, String> params = new HashMap<>();
        for (String param : query.isEmpty() ? new String[0] : query.split("&")) {
          params.put(param.substring(0, param.indexOf('=')), param.substring(param.indexOf('=') + 1));
        }
        if (params.containsKey("start") && !ignoreStart) {
          synchronized (store) {
            store.txs.computeIfAbsent(
                tid,
                t -> new FakeTx(t, Long.parseLong(params.get("ttlSeconds")), Integer.parseInt(params.get("retries"))));
          }
        }
        return call(tid, p[5] + ":" + p[6], JSON.readTree(body), p[4].equals("invoke"), "true".equals(params.get("end")));
      }
      return error(404, "COH-NOT-FOUND", "no such endpoint");
    }

    private Reply start(JsonNode request) {
      String tid = request.path("tid").asText(UUID.randomUUID().toString());
      synchronized (store) {
        FakeTx tx = store.txs.get(tid);
        if (tx != null) {
          return new Reply(200, doc(tx), Map.of());
        }
        tx = new FakeTx(tid, request.path("ttlSeconds").asLong(3600), request.path("retries").asInt(0));
        store.txs.put(tid, tx);
        return new Reply(201, doc(tx), Map.of());
      }
    }

    private Reply call(String tid, String service, JsonNode input, boolean synchronous, boolean end) {
      Fault fault = faults.poll();
      FakeTx tx;
      synchronized (store) {
        tx = store.txs.get(tid);
        if (tx == null) {
          return error(404, "COH-GD-UNKNOWN", "no transaction " + tid);
        }
        if (Instant.now().isAfter(tx.expiresAt)) {
          return error(410, "COH-GD-EXPIRED", "tx " + tid + " expired");
        }
        if (tx.service != null && (!tx.service.equals(service) || !tx.input.equals(input))) {
          return error(422, "COH-GD-MISMATCH", "tx " + tid + " was used for another call");
        }
        switch (tx.state) {
          case "NEW" -> {
            tx.service = service;
            tx.input = input;
            tx.state = "PENDING";
            tx.attempts++;
            tx.end = end;
          }
          case "PENDING" -> {
            return synchronous ? error(409, "COH-GD-RUNNING", "running elsewhere") : new Reply(202, doc(tx), Map.of());
          }
          case "IN_DOUBT" -> {
            return error(409, "COH-GD-IN-DOUBT", "crashed while running");
          }
          default -> {
            return synchronous ? outcome(tx, true) : new Reply(202, doc(tx), Map.of());
          }
        }
      }
      if (!synchronous || fault == Fault.DROP_WHILE_RUNNING) {
        Reply accepted;
        synchronized (store) {
          accepted = fault == Fault.DROP_WHILE_RUNNING ? null : new Reply(202, doc(tx), Map.of());
        }
        FakeTx claimed = tx;
        Thread.ofPlatform().daemon().start(() -> execute(claimed));
        return accepted;
      }
      execute(tx);
      synchronized (store) {
        return fault == Fault.DROP_AFTER_RUNNING ? null : outcome(tx, false);
      }
    }

    private void execute(FakeTx tx) {
      store.executions.computeIfAbsent(tx.service, s -> new AtomicInteger()).incrementAndGet();
      JsonNode result = null;
      ServiceError error = null;
      try {
        result = store.services.get(tx.service).run(tx.input);
      } catch (ServiceError e) {
        error = e;
      } catch (Exception e) {
        error = new ServiceError(500, "COH-SERVICE-FAILED", String.valueOf(e));
      }
      synchronized (store) {
        tx.state = error == null ? "DONE" : "FAILED";
        tx.result = tx.end ? null : result;
        tx.error = error;
        store.notifyAll();
      }
    }

    /** A settled transaction's reply to invoke. */
    private Reply outcome(FakeTx tx, boolean replayed) {
      Map<String, String> headers = new HashMap<>(Map.of("X-Cohort-Tx-State", tx.state));
      if (replayed) {
        headers.put("Idempotent-Replayed", "true");
      }
      if (tx.state.equals("DONE")) {
        return new Reply(200, String.valueOf(tx.result), headers);
      }
      Reply error = error(tx.error.status, tx.error.code, tx.error.getMessage());
      return new Reply(error.status(), error.body(), headers);
    }

    private Reply status(String tid, long waitMillis) throws InterruptedException {
      synchronized (store) {
        long deadline = System.currentTimeMillis() + waitMillis;
        FakeTx tx;
        while ((tx = store.txs.get(tid)) != null && !tx.settled() && deadline - System.currentTimeMillis() > 0) {
          store.wait(deadline - System.currentTimeMillis());
        }
        return tx == null ? error(404, "COH-GD-UNKNOWN", "no transaction " + tid) : new Reply(200, doc(tx), Map.of());
      }
    }

    private Reply restart(String tid) {
      synchronized (store) {
        FakeTx tx = store.txs.get(tid);
        if (tx == null) {
          return error(404, "COH-GD-UNKNOWN", "no transaction " + tid);
        }
        if (!tx.state.equals("FAILED")) {
          return error(409, "COH-GD-STATE", "tx " + tid + " is " + tx.state);
        }
        tx.state = "NEW";
        tx.error = null;
        tx.retriesLeft = tx.retries;
        tx.expiresAt = Instant.now().plusSeconds(tx.ttlSeconds);
        return new Reply(200, doc(tx), Map.of());
      }
    }

    private Reply end(String tid) {
      synchronized (store) {
        FakeTx tx = store.txs.get(tid);
        if (tx != null && tx.state.equals("PENDING")) {
          return error(409, "COH-GD-STATE", "tx " + tid + " is running");
        }
        store.txs.remove(tid);
        return new Reply(204, "", Map.of());
      }
    }

    /** The status document of {@code tx}; called with the store's monitor held. */
    private String doc(FakeTx tx) {
      ObjectNode doc = JSON.createObjectNode()
          .put("tid", tx.tid)
          .put("state", tx.state)
          .put("service", tx.service)
          .put("attempts", tx.attempts)
          .put("retriesLeft", tx.retriesLeft)
          .put("expiresAt", tx.expiresAt.toString());
      if (tx.state.equals("DONE") && tx.result != null) {
        doc.set("result", tx.result);
      }
      if (tx.error != null) {
        doc.putObject("error").put("status", tx.error.status).put("code", tx.error.code).put("message", tx.error.getMessage());
      }
      return doc.toString();
    }

    private Reply error(int status, String code, String message) {
      ObjectNode body = JSON.createObjectNode();
      body.putObject("error").put("code", code).put("message", message).put("requestId", "r-" + name);
      return new Reply(status, body.toString(), Map.of());
    }
  }

  /** A clock the test moves. */
  static final class TestClock implements InstantSource {
    private volatile Instant now = Instant.now();

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  // ---------------------------------------------------------------- helpers

  private Node node(String name) throws IOException {
    return new Node(name);
  }

  /** A client that goes round its servers once per request: the TContext does the retrying. */
  private CohortClient client(Node... nodes) {
    CohortClient client = CohortClient.builder()
        .servers(java.util.Arrays.stream(nodes).map(Node::url).toArray(URI[]::new))
        .credentials("alice", "pa55-word-XYZ")
        .failoverTimeout(Duration.ZERO)
        .requestTimeout(WAIT)
        .build();
    open.add(client);
    return client;
  }

  private TContext tcontext(CohortClient client) {
    return tcontext(TContext.builder().client(client));
  }

  private TContext tcontext(TContext.Builder builder) {
    TContext tc = builder.jobLog(dir).build();
    open.add(tc);
    return tc;
  }

  private List<JsonNode> logEntries() throws IOException {
    List<JsonNode> entries = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve(JobLog.LOG))) {
      entries.add(JSON.readTree(line));
    }
    return entries;
  }

  private List<String> ops(String tid) throws IOException {
    return logEntries().stream()
        .filter(e -> e.path("tid").asText().equals(tid))
        .map(e -> e.path("op").asText() + (e.has("state") ? ":" + e.path("state").asText() : "")
            + (e.has("mode") ? ":" + e.path("mode").asText() : ""))
        .toList();
  }

  private <T> CompletableFuture<T> inBackground(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, async);
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private void buyService() {
    store.services.put("shop:buy", in -> json("{\"bought\":\"" + in.path("item").asText() + "\"}"));
  }

  /** What {@code shop:buy} returns, as a POJO. */
  public record Bought(String bought) {}

  // ---------------------------------------------------------------- tests

  @Test
  void startInvokeAndEndWithEachStepInTheJobLogBeforeItsRequestGoesOut() throws IOException {
    Node a = node("a");
    buyService();
    TContext tc = tcontext(client(a));

    String tid = tc.startTx(Duration.ofMinutes(5), 2);
    assertThat(tc.pending()).containsExactly(tid);
    Bought bought = tc.invokeTx(tid, "shop:buy", Map.of("item", "book"), Bought.class);
    TxStatus status = tc.status(tid);
    tc.endTx(tid);

    assertThat(bought).isEqualTo(new Bought("book"));
    assertThat(UUID.fromString(tid)).as("a random UUID made by the client").isNotNull();
    assertThat(status.state()).isEqualTo(TxStatus.State.DONE);
    assertThat(status.service()).contains("shop:buy");
    assertThat(status.attempts()).isEqualTo(1);
    assertThat(status.retriesLeft()).isEqualTo(2);
    assertThat(status.result()).contains(json("{\"bought\":\"book\"}"));
    assertThat(tc.pending()).isEmpty();
    assertThat(store.state(tid)).as("the server dropped it").isEqualTo("GONE");
    assertThatThrownBy(() -> tc.status(tid)).isInstanceOf(TxUnknownException.class).hasMessageContaining(tid);

    assertThat(a.seen("POST", "/gd/tx")).as("the first call starts it").isEmpty();
    Seen invoke = a.seen("POST", "/gd/tx/" + tid + "/invoke/shop/buy").get(0);
    assertThat(invoke.start()).isEqualTo("start=true&ttlSeconds=300&retries=2");
    assertThat(invoke.jobLog()).contains("{\"op\":\"start\",\"tid\":\"" + tid + "\"");
    assertThat(invoke.jobLog()).contains("{\"op\":\"call\",\"tid\":\"" + tid + "\",\"service\":\"shop:buy\"");
    assertThat(json(invoke.body())).isEqualTo(json("{\"item\":\"book\"}"));
    assertThat(a.seen("DELETE", "/gd/tx/" + tid).get(0).jobLog()).contains("{\"op\":\"end\",\"tid\":\"" + tid + "\"}");
    assertThat(ops(tid)).containsExactly("start", "call:invoke", "outcome:DONE", "end");
  }

  @Test
  void anInvokeWhoseNodeDropsTheConnectionAfterRunningIsSentToTheNextAndRunsOnce() throws IOException {
    Node a = node("a");
    Node b = node("b");
    buyService();
    a.faults.add(Fault.DROP_AFTER_RUNNING);
    TContext tc = tcontext(client(a, b));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);

    JsonNode out = tc.invokeTx(tid, "shop:buy", Map.of("item", "book"));

    assertThat(out).isEqualTo(json("{\"bought\":\"book\"}"));
    assertThat(store.executions("shop:buy")).isEqualTo(1);
    String target = "/gd/tx/" + tid + "/invoke/shop/buy";
    assertThat(a.seen("POST", target)).extracting(s -> s.status().get()).containsExactly(-1);
    assertThat(b.seen("POST", target)).extracting(s -> s.status().get()).containsExactly(200);
  }

  @Test
  void anotherAttemptHoldingTheTransactionIsWaitedForThroughItsStatus() throws Exception {
    Node a = node("a");
    Node b = node("b");
    CountDownLatch release = new CountDownLatch(1);
    store.services.put("slow:work", in -> {
      release.await();
      return json("{\"worked\":true}");
    });
    a.faults.add(Fault.DROP_WHILE_RUNNING);
    TContext tc = tcontext(client(a, b));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);

    CompletableFuture<JsonNode> result = inBackground(() -> tc.invokeTx(tid, "slow:work", Map.of()));
    await().atMost(WAIT).until(() -> !b.seen("GET", "/gd/tx/" + tid + "?waitMillis=30000").isEmpty());
    release.countDown();

    assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(json("{\"worked\":true}"));
    assertThat(b.seen("POST", "/gd/tx/" + tid + "/invoke/slow/work"))
        .as("b was asked while a's attempt held it").extracting(s -> s.status().get()).containsExactly(409);
    assertThat(store.executions("slow:work")).isEqualTo(1);
  }

  @Test
  void aFailedTransactionReplaysTheServicesErrorWithItsStatusAndCode() throws IOException {
    Node a = node("a");
    store.services.put("shop:buy", in -> {
      throw new ServiceError(409, "SHOP-OUT-OF-STOCK", "no books left");
    });
    TContext tc = tcontext(client(a));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);

    List<Runnable> asks = List.of(
        () -> tc.invokeTx(tid, "shop:buy", Map.of("item", "book")),
        () -> tc.invokeTx(tid, "shop:buy", Map.of("item", "book")),
        () -> tc.retrieveTx(tid, true));
    for (Runnable ask : asks) {
      assertThatThrownBy(ask::run).isInstanceOfSatisfying(ServiceFailedException.class, e -> {
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.code()).isEqualTo("SHOP-OUT-OF-STOCK");
        assertThat(e.serverMessage()).isEqualTo("no books left");
      });
    }

    assertThat(store.executions("shop:buy")).as("replayed, not run again").isEqualTo(1);
    assertThat(tc.status(tid).failure()).contains(new TxStatus.Failure(409, "SHOP-OUT-OF-STOCK", "no books left"));
    assertThat(ops(tid)).containsExactly("start", "call:invoke", "outcome:FAILED");
  }

  @Test
  void submitReturnsAtOnceAndRetrieveGetsTheOutcome() throws IOException {
    Node a = node("a");
    CountDownLatch release = new CountDownLatch(1);
    store.services.put("slow:work", in -> {
      release.await();
      return json("{\"bought\":\"" + in.path("item").asText() + "\"}");
    });
    TContext tc = tcontext(client(a));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);

    tc.submitTx(tid, "slow:work", Map.of("item", "pen"));
    TxResult meanwhile = tc.retrieveTx(tid, false);
    assertThatThrownBy(() -> tc.endTx(tid))
        .isInstanceOfSatisfying(ServiceFailedException.class, e -> assertThat(e.code()).isEqualTo("COH-GD-STATE"));
    assertThat(tc.pending()).as("a running transaction stays open").containsExactly(tid);
    release.countDown();
    TxResult result = tc.retrieveTx(tid, true);

    assertThat(meanwhile.done()).isFalse();
    assertThat(meanwhile.state()).isEqualTo(TxStatus.State.PENDING);
    assertThat(meanwhile.output()).isEmpty();
    assertThat(result.done()).isTrue();
    assertThat(result.output(Bought.class)).contains(new Bought("pen"));
    assertThat(a.seen("POST", "/gd/tx/" + tid + "/submit/slow/work")).extracting(s -> s.status().get()).containsExactly(202);
    assertThat(store.executions("slow:work")).isEqualTo(1);
    tc.endTx(tid);
    assertThat(tc.pending()).isEmpty();
  }

  @Test
  void sendIsFireAndForget() throws IOException {
    Node a = node("a");
    List<JsonNode> mails = Collections.synchronizedList(new ArrayList<>());
    store.services.put("mail:send", in -> {
      mails.add(in);
      return json("{\"sent\":true}");
    });
    TContext tc = tcontext(client(a));

    String tid = tc.sendTx("mail:send", Map.of("to", "ada"), Duration.ofMinutes(1), 3);

    assertThat(tc.pending()).as("the server has it: nothing left to do").isEmpty();
    await().atMost(WAIT).until(() -> store.state(tid).equals("DONE"));
    assertThat(mails).containsExactly(json("{\"to\":\"ada\"}"));
    assertThat(store.tx(tid).orElseThrow().result).as("the result is not kept").isNull();
    assertThat(a.seen("POST", "/gd/tx/" + tid + "/submit/mail/send?end=true")).hasSize(1);
    assertThat(ops(tid)).containsExactly("start", "call:send", "end");
  }

  @Test
  void aContextClosedMidTransactionIsResumedByTheNextOnTheSameDirectory() throws Exception {
    Node a = node("a");
    buyService();
    CohortClient client = client(a);
    TContext first = tcontext(client);
    String tid = first.startTx(Duration.ofMinutes(5), 0);
    a.refuse = true; // the call is logged and sent, but the cluster never takes it

    CompletableFuture<JsonNode> cut = inBackground(() -> first.invokeTx(tid, "shop:buy", Map.of("item", "book")));
    await().atMost(WAIT).until(() -> !a.seen("POST", "/gd/tx/" + tid + "/invoke/shop/buy").isEmpty());
    first.close();
    assertThatThrownBy(() -> cut.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThat(store.state(tid)).as("the server never got it").isEqualTo("GONE");

    a.refuse = false;
    TContext second = tcontext(client);
    assertThat(second.pending()).containsExactly(tid);
    TxResult result = second.retrieveTx(tid, true);

    assertThat(result.output()).contains(json("{\"bought\":\"book\"}"));
    assertThat(store.executions("shop:buy")).isEqualTo(1);
    assertThat(a.seen("POST", "/gd/tx/" + tid + "/submit/shop/buy"))
        .as("sent again from the log").extracting(s -> s.status().get()).containsExactly(202);
    second.endTx(tid);
    assertThat(second.pending()).isEmpty();
  }

  @Test
  void aTornLastLineOfTheJobLogIsIgnoredAndCutOff() throws IOException {
    Node a = node("a");
    CohortClient client = client(a);
    TContext first = tcontext(client);
    String tid = first.startTx(Duration.ofMinutes(5), 0);
    first.close();
    Path log = dir.resolve(JobLog.LOG);
    Files.writeString(log, "{\"op\":\"call\",\"tid\":\"" + tid + "\",\"serv", StandardOpenOption.APPEND);

    TContext second = tcontext(client);
    assertThat(second.pending()).containsExactly(tid);
    assertThat(Files.readString(log)).endsWith("\n").doesNotContain("serv\"");
    String other = second.startTx(Duration.ofMinutes(5), 0);
    second.close();

    TContext third = tcontext(client);
    assertThat(third.pending()).containsExactly(tid, other);
    assertThat(third.retrieveTx(tid, false).state()).as("no call was logged").isEqualTo(TxStatus.State.NEW);
    assertThat(third.retrieveTx(tid, true).state()).as("nothing to wait for, blocking or not").isEqualTo(TxStatus.State.NEW);
    assertThat(a.seen.stream().filter(s -> s.target().contains("/submit/") || s.target().contains("/invoke/"))).isEmpty();
  }

  @Test
  void aDamagedLineInTheMiddleOfTheJobLogIsReportedNotSkipped() throws IOException {
    Files.writeString(dir.resolve(JobLog.LOG), "{\"op\":\"end\",\"tid\":\"x\"}\nnot json\n{\"op\":\"end\",\"tid\":\"y\"}\n");
    CohortClient client = client(node("a"));

    assertThatThrownBy(() -> tcontext(client))
        .isInstanceOf(CohortClientException.class)
        .hasMessageContaining("damaged at line 2");
  }

  @Test
  void aSecondContextOnTheSameDirectoryIsRefusedWhetherInThisProcessOrAnother() throws Exception {
    CohortClient client = client(node("a"));
    TContext first = tcontext(client);
    assertThatThrownBy(() -> tcontext(client))
        .isInstanceOf(CohortClientException.class)
        .hasMessageContaining("in use by another TContext");
    first.close();

    Process other = new ProcessBuilder(
            ProcessHandle.current().info().command().orElse("java"),
            "-cp", System.getProperty("java.class.path"),
            HoldsTheJobLog.class.getName(), dir.toString())
        .redirectErrorStream(true)
        .start();
    open.add(other::destroyForcibly);
    BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("holding");
    assertThatThrownBy(() -> tcontext(client))
        .isInstanceOf(CohortClientException.class)
        .hasMessageContaining("in use by another TContext");

    other.destroyForcibly();
    await().atMost(WAIT).until(() -> !other.isAlive());
    assertThat(tcontext(client).pending()).isEmpty();
  }

  /** Another process holding a job log directory until it is killed. */
  static final class HoldsTheJobLog {
    public static void main(String[] args) throws Exception {
      CohortClient client = CohortClient.builder().servers(URI.create("http://127.0.0.1:1")).credentials("x", "y").build();
      TContext.builder().client(client).jobLog(Path.of(args[0])).build(); // released when killed
      System.out.println("holding");
      System.out.flush();
      System.in.read();
    }
  }

  @Test
  void aRestartedTransactionRunsItsLoggedCallAgain() throws IOException {
    Node a = node("a");
    AtomicInteger tries = new AtomicInteger();
    store.services.put("shop:buy", in -> {
      if (tries.incrementAndGet() == 1) {
        throw new ServiceError(503, "SHOP-CLOSED", "back in five");
      }
      return json("{\"bought\":\"book\"}");
    });
    TContext tc = tcontext(client(a));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);
    assertThatThrownBy(() -> tc.invokeTx(tid, "shop:buy", Map.of("item", "book")))
        .isInstanceOfSatisfying(ServiceFailedException.class, e -> assertThat(e.code()).isEqualTo("SHOP-CLOSED"));

    tc.restartTx(tid);
    assertThat(tc.status(tid).state()).isEqualTo(TxStatus.State.NEW);
    TxResult result = tc.retrieveTx(tid, true);

    assertThat(result.output()).contains(json("{\"bought\":\"book\"}"));
    assertThat(store.executions("shop:buy")).isEqualTo(2);
    assertThatThrownBy(() -> tc.restartTx(tid))
        .isInstanceOfSatisfying(ServiceFailedException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.code()).isEqualTo("COH-GD-STATE");
        });
  }

  @Test
  void retriesEndWhenTheTtlPassesWithAnExceptionThatSaysSo() throws Exception {
    Node a = node("a");
    buyService();
    TestClock clock = new TestClock();
    TContext tc = tcontext(TContext.builder().client(client(a)).clock(clock));
    String tid = tc.startTx(Duration.ofSeconds(30), 0);
    a.refuse = true;

    CompletableFuture<JsonNode> call = inBackground(() -> tc.invokeTx(tid, "shop:buy", Map.of("item", "book")));
    await().atMost(WAIT).until(() -> a.seen("POST", "/gd/tx/" + tid + "/invoke/shop/buy").size() >= 3);
    clock.advance(Duration.ofSeconds(31));

    assertThatThrownBy(() -> call.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(TxExpiredException.class)
        .hasMessageContaining("tx " + tid + " expired")
        .hasMessageContaining("this node is draining")
        .hasCauseInstanceOf(UnavailableException.class);
    assertThat(store.executions("shop:buy")).isZero();

    // The server's word counts too.
    a.refuse = false;
    String late = tc.startTx(Duration.ofMinutes(1), 0);
    synchronized (store) {
      FakeTx expired = new FakeTx(late, 60, 0); // the server's clock is ahead
      expired.expiresAt = Instant.now().minusSeconds(1);
      store.txs.put(late, expired);
    }
    assertThatThrownBy(() -> tc.invokeTx(late, "shop:buy", Map.of("item", "book")))
        .isInstanceOfSatisfying(TxExpiredException.class, e -> assertThat(e.tid()).isEqualTo(late))
        .hasMessageContaining("COH-GD-EXPIRED");
  }

  @Test
  void aTransactionTheServerNeverHadIsStartedByItsCallButOneItLostIsReported() throws IOException {
    Node a = node("a");
    buyService();
    TContext tc = tcontext(client(a));
    String tid = tc.startTx(Duration.ofMinutes(1), 0);
    assertThat(store.tx(tid)).as("only the job log has it").isEmpty();

    assertThat(tc.invokeTx(tid, "shop:buy", Map.of("item", "book"))).isEqualTo(json("{\"bought\":\"book\"}"));
    assertThat(a.seen("POST", "/gd/tx/" + tid + "/invoke/shop/buy")).extracting(Seen::start)
        .containsExactly("start=true&ttlSeconds=60&retries=0");

    // A server that does not start transactions on their first call gets the start first.
    String old = tc.startTx(Duration.ofMinutes(1), 0);
    a.ignoreStart = true;
    assertThat(tc.invokeTx(old, "shop:buy", Map.of("item", "pen"))).isEqualTo(json("{\"bought\":\"pen\"}"));
    assertThat(a.seen("POST", "/gd/tx").stream().filter(s -> s.body().contains(old))).hasSize(1);
    a.ignoreStart = false;

    String gone = tc.startTx(Duration.ofMinutes(1), 0);
    tc.submitTx(gone, "shop:buy", Map.of("item", "pen"));
    await().atMost(WAIT).until(() -> store.state(gone).equals("DONE"));
    store.forget(gone);
    assertThatThrownBy(() -> tc.retrieveTx(gone, true))
        .isInstanceOf(TxUnknownException.class)
        .hasMessageContaining("never completed");
  }

  @Test
  void endsCanGoInBatchesAndCloseSendsTheRest() throws IOException {
    Node a = node("a");
    buyService();
    TContext tc = tcontext(TContext.builder().client(client(a)).endInBatches(3));
    List<String> tids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String tid = tc.startTx(Duration.ofMinutes(1), 0);
      tc.invokeTx(tid, "shop:buy", Map.of("item", "book-" + i));
      tc.endTx(tid);
      tids.add(tid);
    }
    assertThat(tc.pending()).as("ended in the job log at once").isEmpty();
    List<Seen> ends = a.seen.stream().filter(s -> s.method().equals("DELETE")).toList();
    assertThat(ends).extracting(Seen::target)
        .containsExactly("/gd/tx?tids=" + String.join(",", tids.subList(0, 3)));
    assertThat(ends.get(0).jobLog()).as("logged before the request")
        .contains("{\"op\":\"end\",\"tid\":\"" + tids.get(2) + "\"}");
    assertThat(store.state(tids.get(0))).isEqualTo("GONE");
    assertThat(store.state(tids.get(3))).isEqualTo("DONE");

    tc.close();
    assertThat(a.seen.stream().filter(s -> s.method().equals("DELETE"))).extracting(Seen::target)
        .containsExactly(
            "/gd/tx?tids=" + String.join(",", tids.subList(0, 3)),
            "/gd/tx?tids=" + String.join(",", tids.subList(3, 5)));
    assertThat(store.state(tids.get(4))).isEqualTo("GONE");
    assertThatThrownBy(() -> TContext.builder().endInBatches(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFollowTidIsStartedOnceAndTheJobLogIsCompactedWhenEndedTransactionsDominateIt() throws IOException {
    Node a = node("a");
    CohortClient client = client(a);
    TContext tc = tcontext(TContext.builder().client(client).compactLogAfter(4096));
    String kept = tc.startTx(Duration.ofMinutes(5), 1, "order-42");
    assertThat(tc.startTx(Duration.ofMinutes(9), 7, "order-42")).isEqualTo("order-42");
    assertThat(ops(kept)).containsExactly("start");
    for (int i = 0; i < 60; i++) {
      tc.endTx(tc.startTx(Duration.ofMinutes(1), 0));
    }

    assertThat(Files.size(dir.resolve(JobLog.LOG))).isLessThan(4096);
    assertThat(logEntries().get(0).path("tid").asText()).isEqualTo(kept);
    assertThat(dir.resolve("joblog.jsonl.tmp")).doesNotExist();
    tc.close();
    assertThat(tcontext(client).pending()).containsExactly(kept);
  }

  @Test
  void refusesBadInputBeforeLoggingOrSendingAnything() throws IOException {
    Node a = node("a");
    CohortClient client = client(a);
    assertThatThrownBy(() -> TContext.builder().client(client).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jobLog");
    TContext tc = tcontext(client);
    String tid = tc.startTx(Duration.ofMinutes(1), 0);
    long lines = logEntries().size();

    assertThatThrownBy(() -> tc.invokeTx(tid, "no-colon", Map.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tc.invokeTx(tid, "a:b", List.of(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tc.sendTx("a:b", "text", Duration.ofMinutes(1), 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tc.startTx(Duration.ofMinutes(1), 0, "has space")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tc.startTx(Duration.ZERO, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> tc.invokeTx("never-started", "a:b", Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not open in the job log");

    assertThat(logEntries()).hasSize((int) lines);
    assertThat(a.seen.stream().filter(s -> s.target().startsWith("/gd/"))).as("nothing: a start is only logged").isEmpty();
  }
}
