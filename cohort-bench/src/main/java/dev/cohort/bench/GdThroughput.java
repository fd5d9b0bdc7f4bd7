package dev.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cohort-bench/run gd-throughput}: guaranteed-delivery transactions per second against
 * pgbench's simple single-row update on the same PostgreSQL server, in the same run, with the
 * same number of concurrent clients.
 *
 * <p>A GD transaction is what a client of the protocol does for one exactly-once order: {@code
 * POST /gd/tx} (start), {@code POST /gd/tx/{tid}/invoke/samples.orders/placeOrder} (the order row
 * and the DONE record commit together), {@code DELETE /gd/tx/{tid}} (end). The reference is one
 * autocommitted {@code UPDATE bench_accounts SET balance = balance + ? WHERE id = ?} on a random
 * row of 100,000, through JDBC — one round trip and one commit.
 */
final class GdThroughput {

  private static final int ACCOUNTS = 100_000;
  private static final double TARGET = 0.3;
  private static final int END_BATCH = 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StatefulOptions options;
  private final Rig rig;

  GdThroughput(StatefulOptions options, Rig rig) {
    this.options = options;
    this.rig = rig;
  }

  /** What one side did in one measured slice. */
  private record Slice(long transactions, long errors, long[] latencyNanos, Duration elapsed) {
    double perSecond() {
      return transactions / (elapsed.toNanos() / 1e9);
    }
  }

  /** One client's loop: one transaction per call; throws on a wrong answer. */
  @FunctionalInterface
  private interface Work {
    void once(int client) throws Exception;
  }

  int run() throws Exception {
    var out = rig.out();
    out.println("gd-throughput: " + options.clients() + " clients per side, " + options.rounds()
        + " round(s) of " + options.duration().toSeconds() + " s each, warm-up "
        + options.warmup().toSeconds() + " s per side");
    try (Deployment gd = rig.standalone("gd")) {
      String url = gd.databaseUrl();
      String base = gd.node(0).baseUrl();
      prepareAccounts(url);
      List<Connection> connections = new ArrayList<>();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
      try {
        for (int i = 0; i < options.clients(); i++) {
          Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
          c.setAutoCommit(true);
          connections.add(c);
        }
        Work update = client -> update(connections.get(client));
        // Each client keeps the session its first call got, as a real client does (a password
        // caller without one gets a new session on every call).
        String[] sessions = new String[options.clients()];
        Work transaction = client -> gdTransaction(http, base, gd.authorization(), sessions, client);
        Work keyed = client -> keyedCall(http, base, gd.authorization(), sessions, client, true);
        Work plain = client -> keyedCall(http, base, gd.authorization(), sessions, client, false);
        List<List<String>> unended = new ArrayList<>();
        for (int i = 0; i < options.clients(); i++) {
          unended.add(new ArrayList<>());
        }
        Work compact = client -> compactTransaction(http, base, gd.authorization(), sessions, client, unended.get(client), 1);
        Work batched = client -> compactTransaction(http, base, gd.authorization(), sessions, client, unended.get(client), END_BATCH);
        System.err.println("gd-throughput: warming up...");
        measure(update, options.warmup());
        measure(transaction, options.warmup());
        measure(keyed, options.warmup().dividedBy(2));
        measure(plain, options.warmup().dividedBy(2));
        measure(compact, options.warmup().dividedBy(2));
        measure(batched, options.warmup().dividedBy(2));
        long ordersBefore = count(url, "samples_order");
        long gdDone = 0;
        List<Slice> updates = new ArrayList<>();
        List<Slice> gds = new ArrayList<>();
        List<Slice> keys = new ArrayList<>();
        List<Slice> plains = new ArrayList<>();
        List<Slice> compacts = new ArrayList<>();
        List<Slice> batcheds = new ArrayList<>();
        long plainDone = 0;
        for (int round = 1; round <= options.rounds(); round++) {
          System.err.printf("gd-throughput: round %d of %d...%n", round, options.rounds());
          Slice u = measure(update, options.duration());
          Slice g = measure(transaction, options.duration());
          Slice k = measure(keyed, options.duration());
          Slice p = measure(plain, options.duration());
          Slice c = measure(compact, options.duration());
          Slice b = measure(batched, options.duration());
          compacts.add(c);
          batcheds.add(b);
          gdDone += c.transactions() + b.transactions();
          plains.add(p);
          plainDone += p.transactions();
          updates.add(u);
          gds.add(g);
          keys.add(k);
          gdDone += g.transactions() + k.transactions();
          out.printf(Locale.ROOT, "  round %d: single-row update %,.0f tx/s (%d errors), GD %,.0f tx/s (%d errors), ratio %.3f;"
                  + " Idempotency-Key %,.0f tx/s (%d errors), ratio %.3f%n",
              round, u.perSecond(), u.errors(), g.perSecond(), g.errors(), g.perSecond() / u.perSecond(),
              k.perSecond(), k.errors(), k.perSecond() / u.perSecond());
          out.printf(Locale.ROOT, "           the same call without GD %,.0f calls/s (%d errors), ratio %.3f%n",
              p.perSecond(), p.errors(), p.perSecond() / u.perSecond());
          out.printf(Locale.ROOT, "           GD invoke?start=true + end: %,.0f tx/s (%d errors), ratio %.3f;"
                  + " ends in batches of %d: %,.0f tx/s (%d errors), ratio %.3f%n",
              c.perSecond(), c.errors(), c.perSecond() / u.perSecond(), END_BATCH, b.perSecond(), b.errors(),
              b.perSecond() / u.perSecond());
        }
        long ordersAfter = count(url, "samples_order");
        double u = median(updates.stream().mapToDouble(Slice::perSecond).toArray());
        double g = median(gds.stream().mapToDouble(Slice::perSecond).toArray());
        double k = median(keys.stream().mapToDouble(Slice::perSecond).toArray());
        double p = median(plains.stream().mapToDouble(Slice::perSecond).toArray());
        double cm = median(compacts.stream().mapToDouble(Slice::perSecond).toArray());
        double bm = median(batcheds.stream().mapToDouble(Slice::perSecond).toArray());
        long[] latencies = gds.stream().flatMapToLong(s -> Arrays.stream(s.latencyNanos())).sorted().toArray();
        long[] keyLatencies = keys.stream().flatMapToLong(s -> Arrays.stream(s.latencyNanos())).sorted().toArray();
        out.printf(Locale.ROOT, "single-row update (pgbench -N style, JDBC, autocommit): %,.0f tx/s (median of rounds)%n", u);
        out.printf(Locale.ROOT, "GD start+invoke(placeOrder)+end over HTTP:              %,.0f tx/s (median of rounds)%n", g);
        out.printf(Locale.ROOT, "GD transaction latency: p50 %.1f ms, p99 %.1f ms%n",
            percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6);
        out.printf(Locale.ROOT, "ratio GD / single-row update: %.3f (target >= %.1f)%n", g / u, TARGET);
        out.printf(Locale.ROOT, "GD in one request (Idempotency-Key on /invoke, placeOrder): %,.0f tx/s, p50 %.1f ms, p99 %.1f ms, ratio %.3f%n",
            k, percentile(keyLatencies, 0.50) / 1e6, percentile(keyLatencies, 0.99) / 1e6, k / u);
        out.printf(Locale.ROOT, "the same placeOrder call without GD (plain /invoke, no key):  %,.0f calls/s, ratio %.3f"
            + " (what no GD protocol over HTTP can beat here)%n", p, p / u);
        out.printf(Locale.ROOT, "GD invoke?start=true + end (two requests, as TContext sends them): %,.0f tx/s, ratio %.3f%n", cm, cm / u);
        out.printf(Locale.ROOT, "GD invoke?start=true, ends in batches of %d (DELETE /gd/tx?tids=):  %,.0f tx/s, ratio %.3f%n",
            END_BATCH, bm, bm / u);
        long errors = compacts.stream().mapToLong(Slice::errors).sum() + batcheds.stream().mapToLong(Slice::errors).sum()
            + gds.stream().mapToLong(Slice::errors).sum() + updates.stream().mapToLong(Slice::errors).sum()
            + keys.stream().mapToLong(Slice::errors).sum() + plains.stream().mapToLong(Slice::errors).sum();
        if (errors > 0) {
          out.println("FAILED: " + errors + " transaction(s) got a wrong answer");
          return StatefulBenchmarks.FAILED;
        }
        if (ordersAfter - ordersBefore != gdDone + plainDone) {
          out.printf("FAILED: %d GD transactions (both kinds) and %d plain calls completed in the measured rounds but %d order rows were added%n",
              gdDone, plainDone, ordersAfter - ordersBefore);
          return StatefulBenchmarks.FAILED;
        }
        out.printf("checked: %d order rows added for %d GD transactions and %d plain calls completed%n",
            ordersAfter - ordersBefore, gdDone, plainDone);
        return g / u >= TARGET ? StatefulBenchmarks.OK : StatefulBenchmarks.TARGET_MISSED;
      } finally {
        for (Connection c : connections) {
          c.close();
        }
        http.close();
      }
    }
  }

  private static void prepareAccounts(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE bench_accounts (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL)");
      s.execute("INSERT INTO bench_accounts SELECT g, 0 FROM generate_series(1, " + ACCOUNTS + ") g");
      s.execute("VACUUM ANALYZE bench_accounts");
    }
  }

  private static void update(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("UPDATE bench_accounts SET balance = balance + ? WHERE id = ?")) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      s.setLong(1, random.nextInt(-5000, 5001));
      s.setInt(2, random.nextInt(1, ACCOUNTS + 1));
      if (s.executeUpdate() != 1) {
        throw new IllegalStateException("the update changed no row");
      }
    }
  }

  private static void gdTransaction(HttpClient http, String base, String authorization, String[] sessions, int client)
      throws IOException, InterruptedException {
    HttpResponse<String> started = http.send(post(base + "/gd/tx", "{}", authorization), HttpResponse.BodyHandlers.ofString());
    expect(started, 201, "start");
    String tid = JSON.readTree(started.body()).path("tid").asText();
    HttpResponse<String> invoked =
        http.send(
            withSession(
                post(base + "/gd/tx/" + tid + "/invoke/samples.orders/placeOrder", "{\"sku\":\"bench\",\"qty\":1}", authorization),
                sessions[client]),
            HttpResponse.BodyHandlers.ofString());
    expect(invoked, 200, "invoke");
    keep(invoked, sessions, client);
    JsonNode order = JSON.readTree(invoked.body());
    if (order.path("orderId").asText().isEmpty()) {
      throw new IllegalStateException("placeOrder returned no orderId: " + invoked.body());
    }
    HttpResponse<String> ended =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/gd/tx/" + tid)).header("Authorization", authorization).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    expect(ended, 204, "end");
  }

  /**
   * One order in one request to {@code /invoke}: exactly once with a new Idempotency-Key, or
   * (without one) the same service call with no guarantee, the ceiling for any GD protocol.
   */
  private static void keyedCall(
      HttpClient http, String base, String authorization, String[] sessions, int client, boolean withKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/invoke/samples.orders/placeOrder"))
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"bench\",\"qty\":1}"));
    if (withKey) {
      request.header("Idempotency-Key", java.util.UUID.randomUUID().toString());
    }
    if (sessions[client] != null) {
      request.header("X-Cohort-Session", sessions[client]);
    }
    HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    expect(reply, 200, "keyed invoke");
    keep(reply, sessions, client);
    if (JSON.readTree(reply.body()).path("orderId").asText().isEmpty()) {
      throw new IllegalStateException("placeOrder returned no orderId: " + reply.body());
    }
  }

  /**
   * One GD transaction as TContext sends it: {@code POST /gd/tx/{tid}/invoke/...?start=true} (the
   * invoke starts it) and the end, {@code DELETE /gd/tx?tids=...}, sent once {@code endBatch}
   * transactions wait for it.
   */
  private static void compactTransaction(
      HttpClient http, String base, String authorization, String[] sessions, int client, List<String> unended, int endBatch)
      throws IOException, InterruptedException {
    String tid = "b-" + java.util.UUID.randomUUID();
    HttpResponse<String> invoked =
        http.send(
            withSession(
                post(base + "/gd/tx/" + tid + "/invoke/samples.orders/placeOrder?start=true&ttlSeconds=600",
                    "{\"sku\":\"bench\",\"qty\":1}", authorization),
                sessions[client]),
            HttpResponse.BodyHandlers.ofString());
    expect(invoked, 200, "invoke?start=true");
    keep(invoked, sessions, client);
    if (!invoked.headers().firstValue("X-Cohort-Tx-State").orElse("").equals("DONE")
        || invoked.headers().firstValue("Idempotent-Replayed").isPresent()) {
      throw new IllegalStateException("invoke?start=true was not a first, DONE run: " + invoked.headers().map());
    }
    if (JSON.readTree(invoked.body()).path("orderId").asText().isEmpty()) {
      throw new IllegalStateException("placeOrder returned no orderId: " + invoked.body());
    }
    unended.add(tid);
    if (unended.size() >= endBatch) {
      HttpResponse<String> ended =
          http.send(
              withSession(
                  HttpRequest.newBuilder(URI.create(base + "/gd/tx?tids=" + String.join(",", unended)))
                      .header("Authorization", authorization)
                      .DELETE()
                      .build(),
                  sessions[client]),
              HttpResponse.BodyHandlers.ofString());
      expect(ended, 204, "end");
      unended.clear();
    }
  }

  private static HttpRequest withSession(HttpRequest request, String session) {
    return session == null
        ? request
        : HttpRequest.newBuilder(request, (name, value) -> true).header("X-Cohort-Session", session).build();
  }

  private static void keep(HttpResponse<String> reply, String[] sessions, int client) {
    reply.headers().firstValue("X-Cohort-Session").ifPresent(id -> sessions[client] = id);
  }

  private static HttpRequest post(String url, String body, String authorization) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static void expect(HttpResponse<String> response, int status, String what) {
    if (response.statusCode() != status) {
      throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** Runs {@code work} on every client for {@code duration}; counts what completed. */
  private Slice measure(Work work, Duration duration) throws InterruptedException {
    int clients = options.clients();
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (int i = 0; i < clients; i++) {
      int client = i;
      long[] mine = new long[1 << 20];
      latencies.add(mine);
      threads.add(
          Thread.ofPlatform().start(
              () -> {
                int n = 0;
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  try {
                    work.once(client);
                    if (n < mine.length) {
                      mine[n++] = System.nanoTime() - t0;
                    }
                    done.incrementAndGet();
                  } catch (Exception e) {
                    if (errors.incrementAndGet() <= 3) {
                      System.err.println("gd-throughput: " + e.getMessage());
                    }
                  }
                }
                mine[mine.length - 1] = n; // how many entries are filled
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    long[] all =
        latencies.stream()
            .flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1]))
            .toArray();
    return new Slice(done.get(), errors.get(), all, elapsed);
  }

  private static long count(String url, String table) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
