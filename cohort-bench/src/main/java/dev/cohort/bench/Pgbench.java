package dev.cohort.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * PostgreSQL's own benchmark client, {@code pgbench}, running its built-in <em>simple-update</em>
 * script ({@code -N}: {@code BEGIN; UPDATE} one account row{@code ; SELECT} its balance{@code ;
 * INSERT} a history row{@code ; END}) with prepared statements against the benchmark's database.
 * The tables are pgbench's at scale 1 (100,000 accounts), made by {@link #createTables} so that
 * the JDBC loops can use them too when pgbench is not installed.
 */
final class Pgbench {

  static final String INSTALL_HINT = "apt-get install -y postgresql-contrib";
  static final int ACCOUNTS = 100_000;

  /** How long past the requested duration pgbench may take before it is killed. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private static final Pattern TPS = Pattern.compile("(?m)^tps = ([0-9.]+) \\(without initial connection time\\)");
  private static final Pattern PROCESSED = Pattern.compile("(?m)^number of transactions actually processed: (\\d+)");
  private static final Pattern FAILED = Pattern.compile("(?m)^number of failed transactions: (\\d+)");

  private final Path executable;
  private final Path workDir;

  Pgbench(Path executable, Path workDir) {
    this.executable = executable;
    this.workDir = workDir;
  }

  /**
   * {@code pgbench} on {@code path} (a {@code PATH}-style list), or in Debian's
   * {@code /usr/lib/postgresql/<version>/bin}, if any.
   */
  static Optional<Path> find(String path) {
    Optional<Path> onPath =
        Stream.of(path.split(File.pathSeparator))
            .filter(dir -> !dir.isBlank())
            .map(dir -> Path.of(dir, "pgbench"))
            .filter(Files::isExecutable)
            .findFirst();
    if (onPath.isPresent()) {
      return onPath;
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin/pgbench")).filter(Files::isExecutable).sorted().reduce((a, b) -> b);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** What one pgbench run measured. */
  record Result(double perSecond, long transactions, long failed) {}

  /**
   * Creates pgbench's tables at scale 1 in the database at {@code url}, as {@code pgbench -i -s 1}
   * does (same columns, fill factor and keys).
   */
  static void createTables(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE pgbench_history (tid INT, bid INT, aid INT, delta INT, mtime TIMESTAMP, filler CHAR(22))");
      s.execute("CREATE TABLE pgbench_tellers (tid INT NOT NULL, bid INT, tbalance INT, filler CHAR(84)) WITH (fillfactor = 100)");
      s.execute("CREATE TABLE pgbench_accounts (aid INT NOT NULL, bid INT, abalance INT, filler CHAR(84)) WITH (fillfactor = 100)");
      s.execute("CREATE TABLE pgbench_branches (bid INT NOT NULL, bbalance INT, filler CHAR(88)) WITH (fillfactor = 100)");
      s.execute("INSERT INTO pgbench_branches (bid, bbalance) VALUES (1, 0)");
      s.execute("INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT g, 1, 0 FROM generate_series(1, 10) g");
      s.execute("INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT g, 1, 0, '' FROM generate_series(1, " + ACCOUNTS + ") g");
      s.execute("ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid)");
      s.execute("ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid)");
      s.execute("ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)");
      s.execute("VACUUM ANALYZE pgbench_branches, pgbench_tellers, pgbench_accounts, pgbench_history");
    }
  }

  /**
   * Runs {@code pgbench -N -M prepared -n} with {@code clients} connections for {@code duration}
   * on the database at {@code url} (a loopback {@code jdbc:postgresql://} URL).
   *
   * @param phase names the output file
   */
  Result run(String phase, String url, int clients, Duration duration) throws IOException, InterruptedException {
    URI uri = URI.create(url.substring("jdbc:".length()));
    String host = uri.getHost();
    if (!"localhost".equals(host) && !"127.0.0.1".equals(host)) {
      throw new IllegalArgumentException("pgbench goes to loopback only, not " + host);
    }
    String database = uri.getPath().substring(1);
    List<String> command = new ArrayList<>();
    command.add(executable.toString());
    command.addAll(
        List.of(
            "-h", "127.0.0.1", "-p", String.valueOf(uri.getPort()), "-U", Postgres.USER,
            "-N", "-M", "prepared", "-n",
            "-c", String.valueOf(clients), "-j", String.valueOf(Math.min(clients, 2)),
            "-T", String.valueOf(duration.toSeconds()),
            database));
    Path output = workDir.resolve(phase + ".out");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("PGPASSWORD", Postgres.PASSWORD);
    Process process = builder.start();
    if (!process.waitFor(duration.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new BenchException("pgbench did not finish within " + duration.plus(GRACE).toSeconds() + " s (" + phase + "); killed it");
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new BenchException("pgbench exited with status " + process.exitValue() + " (" + phase + "):\n" + text);
    }
    return parse(text)
        .orElseThrow(() -> new BenchException("cannot read pgbench's result (" + phase + "):\n" + text));
  }

  static Optional<Result> parse(String text) {
    Matcher tps = TPS.matcher(text);
    Matcher processed = PROCESSED.matcher(text);
    if (!tps.find() || !processed.find()) {
      return Optional.empty();
    }
    Matcher failed = FAILED.matcher(text);
    return Optional.of(
        new Result(
            Double.parseDouble(tps.group(1)),
            Long.parseLong(processed.group(1)),
            failed.find() ? Long.parseLong(failed.group(1)) : 0));
  }
}
