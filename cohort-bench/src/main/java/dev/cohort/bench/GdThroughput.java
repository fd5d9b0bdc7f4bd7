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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code cohort-bench/run gd-throughput}: guaranteed-delivery transactions per second against
 * pgbench's single-row-update transaction on the same PostgreSQL server, in the same run, with the
 * same number of concurrent clients.
 *
 * <p>The reference is {@code pgbench -N -M prepared} (its built-in simple-update script: {@code
 * BEGIN}, an {@code UPDATE} of one random account of 100,000, a {@code SELECT} of its balance, an
 * {@code INSERT} into the history, {@code END}), run by pgbench itself when it is installed, and
 * always by an equivalent JDBC loop. A stricter line is printed beside it: one autocommitted
 * {@code UPDATE} of one account (one round trip, one commit). The GD side is an exactly-once order
 * ({@code samples.orders:placeOrder}: its row and the DONE record commit together) run by HTTP
 * clients in wrk ({@link GdLoad}), as the protocol's forms send it: start + invoke + end; invoke
 * that starts + end (TContext); ends in batches; an Idempotency-Key; and the same call with no
 * guarantee, the ceiling any of them can reach here.
 */
final class GdThroughput {

  private static final int ACCOUNTS = Pgbench.ACCOUNTS;
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

  /** A reference transaction run by JDBC clients. */
  private enum Reference {
    /** pgbench's simple-update script (-N): the transaction the target is judged against. */
    SIMPLE_UPDATE("pgbench -N transaction (JDBC loop)"),
    /** One autocommitted single-row UPDATE: stricter, one round trip and one commit. */
    BARE_UPDATE("one autocommitted UPDATE (JDBC loop)");

    final String label;

    Reference(String label) {
      this.label = label;
    }
  }

  /** What a reference did in one measured slice. */
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
    Optional<Pgbench> pgbench = Pgbench.find(env.getOrDefault("PATH", "")).map(p -> new Pgbench(p, rig.work()));
    var out = rig.out();
    int clients = options.clients();
    out.println("gd-throughput: " + clients + " clients per side, " + options.rounds()
        + " round(s) of " + options.duration().toSeconds() + " s each, warm-up "
        + options.warmup().toSeconds() + " s per side");
    if (pgbench.isEmpty()) {
      out.println("gd-throughput: pgbench is not installed (" + Pgbench.INSTALL_HINT
          + "); the reference is its transaction run by the JDBC loop alone");
    }
    List<GdLoad.Side> sides = GdLoad.sides(END_BATCH);
    try (Deployment gd = rig.standalone("gd")) {
      String url = gd.databaseUrl();
      Pgbench.createTables(url);
      GdLoad load = new GdLoad(wrk, rig.work(), clients, gd.node(0).baseUrl(), gd.authorization());
      List<Connection> connections = new ArrayList<>();
      try {
        for (int i = 0; i < clients; i++) {
          connections.add(DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD));
        }
        System.err.println("gd-throughput: warming up...");
        if (pgbench.isPresent()) {
          pgbench.get().run("pgbench-warmup", url, clients, options.warmup());
        }
        for (Reference reference : Reference.values()) {
          measure(connections, reference, options.warmup());
        }
        for (GdLoad.Side side : sides) {
          GdLoad.Result r = load.run(side.mode(), side.endBatch(), options.warmup());
          System.err.printf(Locale.ROOT, "gd-throughput: warm-up %s: %,.0f tx/s%n", side.label(), r.perSecond());
        }
        long ordersBefore = count(url, "SELECT COUNT(*) FROM samples_order");
        long acknowledged = 0;
        long errors = 0;
        List<Double> pgbenchRates = new ArrayList<>();
        Map<Reference, List<Double>> referenceRates = new EnumMap<>(Reference.class);
        List<List<GdLoad.Result>> results = new ArrayList<>();
        sides.forEach(s -> results.add(new ArrayList<>()));
        for (int round = 1; round <= options.rounds(); round++) {
          System.err.printf("gd-throughput: round %d of %d...%n", round, options.rounds());
          double roundReference;
          if (pgbench.isPresent()) {
            Pgbench.Result p = pgbench.get().run("pgbench-" + round, url, clients, options.duration());
            pgbenchRates.add(p.perSecond());
            errors += p.failed();
            out.printf(Locale.ROOT, "  round %d: %-60s %,7.0f tx/s (%d failed)%n", round, "pgbench -N -M prepared (pgbench):", p.perSecond(), p.failed());
          }
          for (Reference reference : Reference.values()) {
            Slice u = measure(connections, reference, options.duration());
            referenceRates.computeIfAbsent(reference, k -> new ArrayList<>()).add(u.perSecond());
            errors += u.errors();
            out.printf(Locale.ROOT, "  round %d: %-60s %,7.0f tx/s (%d errors)%n", round, reference.label + ":", u.perSecond(), u.errors());
          }
          roundReference = pgbench.isPresent() ? pgbenchRates.getLast() : referenceRates.get(Reference.SIMPLE_UPDATE).getLast();
          for (int i = 0; i < sides.size(); i++) {
            GdLoad.Result r = load.run(sides.get(i).mode(), sides.get(i).endBatch(), options.duration());
            results.get(i).add(r);
            acknowledged += r.orders();
            errors += r.errors();
            out.printf(Locale.ROOT, "    %-66s %,7.0f tx/s, ratio %.3f (%d errors%s)%n",
                sides.get(i).label() + ":", r.perSecond(), r.perSecond() / roundReference, r.errors(),
                r.sample().isEmpty() ? "" : "; first: " + r.sample());
          }
        }
        long rowsAdded = count(url, "SELECT COUNT(*) FROM samples_order") - ordersBefore;
        long duplicates = count(url, "SELECT COUNT(*) - COUNT(DISTINCT ref) FROM samples_order WHERE ref IS NOT NULL");
        double simple = median(referenceRates.get(Reference.SIMPLE_UPDATE));
        double bare = median(referenceRates.get(Reference.BARE_UPDATE));
        double reference = pgbench.isPresent() ? median(pgbenchRates) : simple;
        if (pgbench.isPresent()) {
          out.printf(Locale.ROOT, "%-70s %,7.0f tx/s (median of rounds): the reference%n", "pgbench -N -M prepared (pgbench):", reference);
          out.printf(Locale.ROOT, "%-70s %,7.0f tx/s%n", Reference.SIMPLE_UPDATE.label + ":", simple);
        } else {
          out.printf(Locale.ROOT, "%-70s %,7.0f tx/s (median of rounds): the reference%n", Reference.SIMPLE_UPDATE.label + ":", simple);
        }
        out.printf(Locale.ROOT, "%-70s %,7.0f tx/s: stricter, shown for comparison%n", Reference.BARE_UPDATE.label + ":", bare);
        double target = 0;
        for (int i = 0; i < sides.size(); i++) {
          double rate = median(results.get(i).stream().map(GdLoad.Result::perSecond).toList());
          double p50 = median(results.get(i).stream().map(r -> (double) r.p50Micros()).toList());
          out.printf(Locale.ROOT, "%-70s %,7.0f tx/s, ratio %.3f (%.3f of the bare UPDATE), p50 per request %.1f ms%n",
              sides.get(i).label() + ":", rate, rate / reference, rate / bare, p50 / 1000.0);
          if (i == 1) {
            target = rate / reference;
          }
        }
        out.printf(Locale.ROOT, "ratio for the target (TContext's form, invoke?start=true + end, to pgbench -N): %.3f (target >= %.1f)%n",
            target, TARGET);
        // Each order carries its tid or key as ref: exactly once means no ref twice. Every
        // acknowledged order must have its row; a wrk run may stop with one call per client in
        // flight, which may have inserted its row unacknowledged.
        long slack = (long) load.runs() * clients;
        if (errors > 0) {
          out.println("FAILED: " + errors + " transaction(s) got a wrong answer or failed");
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

  /** Every connection runs {@code reference} transactions for {@code duration}; counts what completed. */
  private static Slice measure(List<Connection> connections, Reference reference, Duration duration)
      throws InterruptedException {
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    for (Connection c : connections) {
      threads.add(
          Thread.ofPlatform().start(
              () -> {
                try {
                  if (reference == Reference.BARE_UPDATE) {
                    bareUpdates(c, end, done, errors);
                  } else {
                    simpleUpdates(c, end, done, errors);
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

  private static void bareUpdates(Connection c, long end, AtomicLong done, AtomicLong errors) throws SQLException {
    c.setAutoCommit(true);
    try (PreparedStatement update =
        c.prepareStatement("UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?")) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (System.nanoTime() < end) {
        update.setInt(1, random.nextInt(-5000, 5001));
        update.setInt(2, random.nextInt(1, ACCOUNTS + 1));
        if (update.executeUpdate() == 1) {
          done.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
      }
    }
  }

  /** pgbench's built-in simple-update script, statement for statement. */
  private static void simpleUpdates(Connection c, long end, AtomicLong done, AtomicLong errors) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement update =
            c.prepareStatement("UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
        PreparedStatement select = c.prepareStatement("SELECT abalance FROM pgbench_accounts WHERE aid = ?");
        PreparedStatement history =
            c.prepareStatement(
                "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (System.nanoTime() < end) {
        int aid = random.nextInt(1, ACCOUNTS + 1);
        int delta = random.nextInt(-5000, 5001);
        update.setInt(1, delta);
        update.setInt(2, aid);
        boolean ok = update.executeUpdate() == 1;
        select.setInt(1, aid);
        try (ResultSet rs = select.executeQuery()) {
          ok &= rs.next();
        }
        history.setInt(1, random.nextInt(1, 11));
        history.setInt(2, 1);
        history.setInt(3, aid);
        history.setInt(4, delta);
        ok &= history.executeUpdate() == 1;
        c.commit();
        if (ok) {
          done.incrementAndGet();
        } else {
          errors.incrementAndGet();
        }
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
