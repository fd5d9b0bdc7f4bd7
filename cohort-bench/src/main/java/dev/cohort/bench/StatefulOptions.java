package dev.cohort.bench;

import static dev.cohort.bench.Options.integer;
import static dev.cohort.bench.Options.require;
import static dev.cohort.bench.Options.value;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of the stateful-cluster benchmarks ({@code cohort-bench/run stateful-throughput},
 * {@code failover}, {@code session-bytes}). A later occurrence of an option wins, so a wrapper
 * script can pass defaults before the user's arguments.
 *
 * @param command which benchmark
 * @param duration stateful-throughput: measured time per target and round
 * @param warmup stateful-throughput: most discarded load per target before any is measured
 * @param rounds stateful-throughput: how many times all targets are measured in turn
 * @param threads stateful-throughput: wrk threads (a multiple of the cluster's 2 nodes)
 * @param connections stateful-throughput: wrk connections
 * @param cartItems stateful-throughput: addItem calls per session before it is logged out
 * @param replications the cluster's {@code cluster.replication} values to measure, in order
 * @param kills failover: SIGKILLs per replication
 * @param clients failover: conversations (each its own session and client thread) per kill
 * @param credentialsEveryCall failover: whether each call carries the password (HTTP Basic) as
 *     well as the session id, rather than the session id alone after the first call
 * @param sizes session-bytes: sizes of the big attribute, in bytes
 * @param requests session-bytes: small-attribute changes measured per size
 * @param nodes session-bytes: cluster size
 * @param nodeSettings settings every node gets on top of the benchmark's ({@code --set}), to
 *     measure a setting other than the default; printed with the results
 * @param packages the repository's packages directory (holds Samples)
 * @param benchPackage the built Bench package ({@code cohort-bench/target/packages/Bench})
 * @param cliJar the node launcher ({@code cohort-cli/target/cohort-cli.jar})
 * @param help whether to print the usage and stop
 */
record StatefulOptions(
    Command command,
    Duration duration,
    Duration warmup,
    int rounds,
    int threads,
    int connections,
    int cartItems,
    List<Deployment.Replication> replications,
    int kills,
    int clients,
    boolean credentialsEveryCall,
    List<Integer> sizes,
    int requests,
    int nodes,
    Map<String, String> nodeSettings,
    Optional<Path> packages,
    Optional<Path> benchPackage,
    Optional<Path> cliJar,
    boolean help) {

  /** The stateful benchmarks, by the name the run script takes. */
  enum Command {
    STATEFUL_THROUGHPUT("stateful-throughput"),
    FAILOVER("failover"),
    SESSION_BYTES("session-bytes"),
    GD_THROUGHPUT("gd-throughput");

    final String argument;

    Command(String argument) {
      this.argument = argument;
    }

    static Optional<Command> of(String argument) {
      for (Command c : values()) {
        if (c.argument.equals(argument)) {
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }
  }

  static final String USAGE =
      """
      Usage: cohort-bench/run stateful-throughput [options]
             cohort-bench/run failover [options]
             cohort-bench/run session-bytes [options]
             cohort-bench/run gd-throughput [options]

      Benchmarks of the stateful cluster (docs/benchmarks.md). Every node runs in its own JVM
      (java -jar cohort-cli.jar start), all on 127.0.0.1, with an embedded PostgreSQL server as
      the shared database.

      stateful-throughput  samples.cart:addItem requests/s on a 2-node stateful cluster (wrk's
                           threads split between both nodes) vs one standalone node, same run,
                           same wrk settings; prints the ratio. Needs wrk.
        --duration D       measured time per target and round (default 15s)
        --warmup D         at most this much discarded load per target first, in 10 s slices
                           until it stops getting faster (default 4m)
        --rounds N         measure all targets in turn N times (default 3)
        --threads N        wrk threads, a multiple of 2 (default 2: one per node)
        --connections N    wrk connections (default 32)
        --cart-items N     addItem calls per session, then POST /logout ends it (default 20)
        --replication R    all, backup or all,backup (default all,backup)

      failover             SIGKILL a node of a 2-node cluster while clients talk to it; each
                           client retries on the survivor at once; the time from the kill to its
                           first successful call with the whole cart. The killed node is started
                           again between kills.
        --kills N          kills per replication (default 8)
        --clients N        conversations, each with its own session (default 4)
        --credentials C    first-call (default): a conversation logs in with HTTP Basic on its
                           first call and then sends its session id alone, like a browser;
                           every-call: the password goes with every call as well, so the
                           survivor checks it (Argon2id) on the first call it gets
        --replication R    default backup,all

      session-bytes        bytes sent between the members per request that changes one small
                           attribute of a session that also holds 1 KB, 100 KB or 1 MB.
        --sizes LIST       big attribute sizes, e.g. 1k,100k,1m (default)
        --requests N       small changes measured per size (default 2000)
        --nodes N          cluster size (default 2)
        --replication R    default backup,all

      gd-throughput        guaranteed-delivery transactions/s of exactly-once
                           samples.orders:placeOrder calls on one node whose database is the
                           embedded PostgreSQL, in each form of the protocol (start + invoke + end;
                           invoke?start=true + end, as TContext sends them; ends in batches;
                           Idempotency-Key) and the same call without GD, all by wrk, vs
                           pgbench's single-row-update transactions/s (pgbench -N -M prepared,
                           and the same transaction by a JDBC loop; also one bare UPDATE) on
                           the same PostgreSQL, same run, same number of clients; prints the
                           ratios (target 0.3, for TContext's form, to pgbench -N). Needs wrk;
                           uses pgbench when installed (apt-get install -y postgresql-contrib).
        --duration D       measured time per side and round (default 15s)
        --warmup D         discarded load per side before the first round (default 10s)
        --rounds N         measure every side in turn N times (default 3)
        --clients N        concurrent clients on each side (default 8; wrk: one thread and one
                           connection per client)
      Common: --set KEY=VALUE gives every node a setting (repeatable; the results name it; without
      it every node runs with the defaults). --packages DIR (the repository's packages/),
      --bench-package DIR (the built Bench package), --cli JAR (cohort-cli.jar): the run script
      passes these three. --help: this text.

      Exit status: 0 done (and stateful-throughput / failover / gd-throughput met their target), 3 a target was
      missed, 1 the run failed (a wrong or failed response, a lost session), 2 it could not run.
      """;

  private static final Pattern SIZE = Pattern.compile("([0-9]{1,9})([kKmM]?)");

  StatefulOptions {
    replications = List.copyOf(replications);
    sizes = List.copyOf(sizes);
    nodeSettings = Collections.unmodifiableMap(new LinkedHashMap<>(nodeSettings));
    require(duration.compareTo(Duration.ofSeconds(1)) >= 0
        && duration.compareTo(Duration.ofMinutes(10)) <= 0, "--duration must be 1s..10m");
    require(!warmup.isNegative() && warmup.compareTo(Duration.ofMinutes(5)) <= 0,
        "--warmup must be 0s..5m");
    require(rounds >= 1 && rounds <= 20, "--rounds must be 1..20");
    require(threads >= 2 && threads <= 64 && threads % 2 == 0,
        "--threads must be an even number 2..64 (the same number of threads for each node)");
    require(connections >= threads && connections <= 10_000 && connections % threads == 0,
        "--connections must be a multiple of --threads (" + threads + "), at most 10000");
    require(cartItems >= 1 && cartItems <= 10_000, "--cart-items must be 1..10000");
    require(!replications.isEmpty(), "--replication needs at least one of all, backup");
    require(kills >= 1 && kills <= 100, "--kills must be 1..100");
    require(clients >= 1 && clients <= 64, "--clients must be 1..64");
    require(!sizes.isEmpty(), "--sizes needs at least one size");
    for (int size : sizes) {
      require(size >= 1 && size <= (16 << 20), "--sizes must be 1 byte to 16m each");
    }
    require(requests >= 10 && requests <= 1_000_000, "--requests must be 10..1000000");
    require(nodes >= 2 && nodes <= 5, "--nodes must be 2..5");
  }

  static StatefulOptions defaults(Command command) {
    List<Deployment.Replication> replications =
        command == Command.STATEFUL_THROUGHPUT
            ? List.of(Deployment.Replication.ALL, Deployment.Replication.BACKUP)
            : List.of(Deployment.Replication.BACKUP, Deployment.Replication.ALL);
    return new StatefulOptions(
        command, Duration.ofSeconds(15),
        command == Command.GD_THROUGHPUT ? Duration.ofSeconds(10) : Duration.ofMinutes(4),
        3, 2, 32, 20, replications, 8, command == Command.GD_THROUGHPUT ? 8 : 4, false,
        List.of(1 << 10, 100 << 10, 1 << 20), 2000, 2, Map.of(), Optional.empty(),
        Optional.empty(), Optional.empty(), false);
  }

  /**
   * Parses {@code args}, the first of which names the benchmark.
   *
   * @throws IllegalArgumentException saying which argument is wrong and why
   */
  static StatefulOptions parse(List<String> args) {
    if (args.isEmpty() || Command.of(args.getFirst()).isEmpty()) {
      throw new IllegalArgumentException(
          "name the benchmark first: stateful-throughput, failover, session-bytes or gd-throughput");
    }
    StatefulOptions d = defaults(Command.of(args.getFirst()).orElseThrow());
    Duration duration = d.duration();
    Duration warmup = d.warmup();
    int rounds = d.rounds();
    int threads = d.threads();
    int connections = d.connections();
    int cartItems = d.cartItems();
    List<Deployment.Replication> replications = d.replications();
    int kills = d.kills();
    int clients = d.clients();
    boolean credentialsEveryCall = d.credentialsEveryCall();
    List<Integer> sizes = d.sizes();
    int requests = d.requests();
    int nodes = d.nodes();
    Map<String, String> nodeSettings = new LinkedHashMap<>();
    Optional<Path> packages = Optional.empty();
    Optional<Path> benchPackage = Optional.empty();
    Optional<Path> cliJar = Optional.empty();
    boolean help = false;
    Iterator<String> it = args.subList(1, args.size()).iterator();
    while (it.hasNext()) {
      String arg = it.next();
      switch (arg) {
        case "--duration" -> duration = Options.duration(arg, value(arg, it));
        case "--warmup" -> warmup = Options.duration(arg, value(arg, it));
        case "--rounds" -> rounds = integer(arg, value(arg, it));
        case "--threads" -> threads = integer(arg, value(arg, it));
        case "--connections" -> connections = integer(arg, value(arg, it));
        case "--cart-items" -> cartItems = integer(arg, value(arg, it));
        case "--replication" -> replications = replications(arg, value(arg, it));
        case "--kills" -> kills = integer(arg, value(arg, it));
        case "--clients" -> clients = integer(arg, value(arg, it));
        case "--credentials" -> {
          String v = value(arg, it);
          credentialsEveryCall =
              switch (v) {
                case "every-call" -> true;
                case "first-call" -> false;
                default ->
                    throw new IllegalArgumentException(
                        arg + " takes first-call or every-call, not '" + v + "'");
              };
        }
        case "--sizes" -> sizes = sizes(arg, value(arg, it));
        case "--requests" -> requests = integer(arg, value(arg, it));
        case "--nodes" -> nodes = integer(arg, value(arg, it));
        case "--set" -> {
          String setting = value(arg, it);
          int eq = setting.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException(arg + " takes KEY=VALUE, not '" + setting + "'");
          }
          nodeSettings.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        case "--packages" -> packages = Optional.of(Path.of(value(arg, it)));
        case "--bench-package" -> benchPackage = Optional.of(Path.of(value(arg, it)));
        case "--cli" -> cliJar = Optional.of(Path.of(value(arg, it)));
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    return new StatefulOptions(
        d.command(), duration, warmup, rounds, threads, connections, cartItems, replications,
        kills, clients, credentialsEveryCall, sizes, requests, nodes, nodeSettings, packages, benchPackage, cliJar,
        help);
  }

  /** wrk's options for the load, e.g. {@code -t2 -c32}. */
  String wrkShape() {
    return "-t" + threads + " -c" + connections;
  }

  /** {@code bytes} the way --sizes takes it: {@code 1 KB}, {@code 100 KB}, {@code 1 MB}. */
  static String size(int bytes) {
    if (bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MB";
    }
    if (bytes % (1 << 10) == 0) {
      return (bytes >> 10) + " KB";
    }
    return bytes + " B";
  }

  private static List<Deployment.Replication> replications(String option, String value) {
    List<Deployment.Replication> list = new ArrayList<>();
    for (String part : value.split(",")) {
      try {
        Deployment.Replication r =
            Deployment.Replication.valueOf(part.strip().toUpperCase(Locale.ROOT));
        if (!list.contains(r)) {
          list.add(r);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            option + " takes all, backup or both (all,backup), not '" + value + "'");
      }
    }
    return list;
  }

  private static List<Integer> sizes(String option, String value) {
    List<Integer> list = new ArrayList<>();
    for (String part : value.split(",")) {
      Matcher m = SIZE.matcher(part.strip());
      if (!m.matches()) {
        throw new IllegalArgumentException(
            option + " takes sizes like 1k,100k,1m (bytes, KiB, MiB), not '" + value + "'");
      }
      long n = Long.parseLong(m.group(1));
      long bytes =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            default -> n;
          };
      if (bytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(option + ": " + part + " is too large");
      }
      list.add((int) bytes);
    }
    return list;
  }
}
