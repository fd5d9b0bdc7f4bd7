package dev.cohort.bench;

import java.nio.file.Path;
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
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cohort-bench/run gd-throughput}: guaranteed-delivery transactions per second against
 * pgbench's simple single-row update on the same PostgreSQL server, in the same run, with the
 * same number of concurrent clients.
 *
 * <p>The reference is one autocommitted {@code UPDATE bench_accounts SET balance = balance + ?
 * WHERE id = ?} on a random row of 100,000, through JDBC: one round trip and one commit. The GD
 * side is an exactly-once order ({@code samples.orders:placeOrder}: its row and the DONE record
 * commit together) run by HTTP clients in wrk ({@link GdLoad}), as the protocol's forms send it:
 * start + invoke + end; invoke that starts + end (TContext); ends in batches; an Idempotency-Key;
 * and the same call with no guarantee, the ceiling any of them can reach here.
 */
final class GdThroughput {

  private static final int ACCOUNTS = 100_000;
  private static final double TARGET = 0.3;
  private static final int END_BATCH = 16;

  private final StatefulOptions options;
  private final Rig rig;
  private final Map<String, String> env;

  GdThroughput(StatefulOptions options, Rig rig, Map<String, String> env) {
    this.options = options;
    this.rig = rig;
    this.env = env;
  }

  /** What the reference did in one measured slice. */
  private record Slice(long transactions, long errors, Duration elapsed) {
    double perSecond() {
      return transactions / (elapsed.toNanos() / 1e9);
    }
  }

  int run() throws Exception {
    Path wrk =
        Wrk.find(env.getOrDefault("PATH", ""))
            .orElseThrow(
                () ->
                    new BenchException(
                        "wrk, the load generator, is not installed. Install it with:\n\n    "
                            + Wrk.INSTALL_HINT + "\n\nthen run the benchmark again."));
    var out = rig.out();
    int clients = options.clients();
    out.println("gd-throughput: " + clients + " clients per side, " + options.rounds()
        + " round(s) of " + options.duration().toSeconds() + " s each, warm-up "
        + options.warmup().toSeconds() + " s per side");
    List<GdLoad.Side> sides = GdLoad.sides(END_BATCH);
    try (Deployment gd = rig.standalone("gd")) {
      String url = gd.databaseUrl();
      prepareAccounts(url);
      GdLoad load = new GdLoad(wrk, rig.work(), clients, gd.node(0).baseUrl(), gd.authorization());
      List<Connection> connections = new ArrayList<>();
      try {
        for (int i = 0; i < clients; i++) {
          Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
          c.setAutoCommit(true);
          connections.add(c);
        }
        System.err.println("gd-throughput: warming up...");
        measureUpdates(connections, options.warmup());
        for (GdLoad.Side side : sides) {
          GdLoad.Result r = load.run(side.mode(), side.endBatch(), options.warmup());
          System.err.printf(Locale.ROOT, "gd-throughput: warm-up %s: %,.0f tx/s%n", side.label(), r.perSecond());
        }
        long ordersBefore = count(url, "SELECT COUNT(*) FROM samples_order");
        long acknowledged = 0;
        long errors = 0;
        List<Slice> updates = new ArrayList<>();
        List<List<GdLoad.Result>> results = new ArrayList<>();
        sides.forEach(s -> results.add(new ArrayList<>()));
        for (int round = 1; round <= options.rounds(); round++) {
          System.err.printf("gd-throughput: round %d of %d...%n", round, options.rounds());
          Slice u = measureUpdates(connections, options.duration());
          updates.add(u);
          errors += u.errors();
          out.printf(Locale.ROOT, "  round %d: single-row update %,.0f tx/s (%d errors)%n", round, u.perSecond(), u.errors());
          for (int i = 0; i < sides.size(); i++) {
            GdLoad.Result r = load.run(sides.get(i).mode(), sides.get(i).endBatch(), options.duration());
            results.get(i).add(r);
            acknowledged += r.orders();
            errors += r.errors();
            out.printf(Locale.ROOT, "    %-66s %,7.0f tx/s, ratio %.3f (%d errors%s)%n",
                sides.get(i).label() + ":", r.perSecond(), r.perSecond() / u.perSecond(), r.errors(),
                r.sample().isEmpty() ? "" : "; first: " + r.sample());
          }
        }
        long rowsAdded = count(url, "SELECT COUNT(*) FROM samples_order") - ordersBefore;
        long duplicates = count(url, "SELECT COUNT(*) - COUNT(DISTINCT ref) FROM samples_order WHERE ref IS NOT NULL");
        double u = median(updates.stream().mapToDouble(Slice::perSecond).toArray());
        out.printf(Locale.ROOT, "single-row update (pgbench -N style, JDBC, autocommit): %,.0f tx/s (median of rounds)%n", u);
        double target = 0;
        for (int i = 0; i < sides.size(); i++) {
          double rate = median(results.get(i).stream().mapToDouble(GdLoad.Result::perSecond).toArray());
          long p50 = (long) median(results.get(i).stream().mapToDouble(GdLoad.Result::p50Micros).toArray());
          out.printf(Locale.ROOT, "%-70s %,7.0f tx/s, ratio %.3f, p50 per request %.1f ms%n",
              sides.get(i).label() + ":", rate, rate / u, p50 / 1000.0);
          if (i == 1) {
            target = rate / u;
          }
        }
        out.printf(Locale.ROOT, "ratio for the target (TContext's form, invoke?start=true + end): %.3f (target >= %.1f)%n",
            target, TARGET);
        // Each order carries its tid or key as ref: exactly once means no ref twice. Every
        // acknowledged order must have its row; a wrk run may stop with one call per client in
        // flight, which may have inserted its row unacknowledged.
        long slack = (long) load.runs() * clients;
        if (errors > 0) {
          out.println("FAILED: " + errors + " transaction(s) got a wrong answer");
          return StatefulBenchmarks.FAILED;
        }
        if (duplicates != 0 || rowsAdded < acknowledged || rowsAdded > acknowledged + slack) {
          out.printf("FAILED: %d order rows added for %d acknowledged orders (at most %d more may be in flight), %d duplicated refs%n",
              rowsAdded, acknowledged, slack, duplicates);
          return StatefulBenchmarks.FAILED;
        }
        out.printf("checked: %d order rows added for %d acknowledged orders (+%d in flight at the end of a run), no ref twice%n",
            rowsAdded, acknowledged, rowsAdded - acknowledged);
        return target >= TARGET ? StatefulBenchmarks.OK : StatefulBenchmarks.TARGET_MISSED;
      } finally {
        for (Connection c : connections) {
          c.close();
        }
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

  /** Every connection runs single-row updates for {@code duration}; counts what completed. */
  private static Slice measureUpdates(List<Connection> connections, Duration duration) throws InterruptedException {
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (Connection c : connections) {
      threads.add(
          Thread.ofPlatform().start(
              () -> {
                try (PreparedStatement s =
                    c.prepareStatement("UPDATE bench_accounts SET balance = balance + ? WHERE id = ?")) {
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (System.nanoTime() < end) {
                    s.setLong(1, random.nextInt(-5000, 5001));
                    s.setInt(2, random.nextInt(1, ACCOUNTS + 1));
                    if (s.executeUpdate() == 1) {
                      done.incrementAndGet();
                    } else {
                      errors.incrementAndGet();
                    }
                  }
                } catch (SQLException e) {
                  errors.incrementAndGet();
                  System.err.println("gd-throughput: " + e.getMessage());
                }
              }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return new Slice(done.get(), errors.get(), Duration.ofNanos(System.nanoTime() - start));
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
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
}
