package dev.cohort.bench;

import static dev.cohort.bench.Options.integer;
import static dev.cohort.bench.Options.require;
import static dev.cohort.bench.Options.value;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The benchmark's command-line options. A later occurrence of an option wins, so a wrapper script
 * can pass defaults before the user's arguments.
 *
 * @param duration how long each target is measured in each round
 * @param warmup how long each target is loaded before it is measured (discarded)
 * @param rounds how many times all targets are measured in turn
 * @param threads wrk threads
 * @param connections wrk connections (open all the time, shared out among the threads)
 * @param cartItems calls of samples.cart:addItem per session before a fresh session is started
 * @param packages the node's packages directory; empty = look for {@code packages/} from the
 *     working directory up
 * @param profile where to write a JFR recording and a summary of each measured target; empty =
 *     no profiling
 * @param help whether to print the usage and stop
 */
record BenchOptions(
    Duration duration,
    Duration warmup,
    int rounds,
    int threads,
    int connections,
    int cartItems,
    Optional<Path> packages,
    Optional<Path> profile,
    boolean help) {

  static final String USAGE =
      """
      Usage: cohort-bench/run [options]

      Measures requests/s and p50/p99 latency of samples.hello:greet (HTTP Basic on every
      request) and samples.cart:addItem (a session write per call) on a real node, and of a bare
      Jetty JSON endpoint started in the same JVM as the reference; prints the ratios.
      Needs wrk (apt-get install -y wrk). All traffic stays on 127.0.0.1.

      Options:
        --duration D      measured time per target and round (default 15s; 1s..10m)
        --warmup D        discarded warm-up per target before any is measured (default 5s; 0s..5m)
        --rounds N        measure all targets in turn N times; the verdict takes the median
                          ratio (default 3; 1..20)
        --threads N       wrk threads (default 2)
        --connections N   wrk connections, kept open (default 32; at least --threads)
        --cart-items N    addItem calls per session before a fresh one starts (default 20)
        --packages DIR    the packages directory holding Samples (default: ./packages or the
                          first packages/ found in a parent directory)
        --profile DIR     record each measured target with JFR into DIR and print where the
                          time goes (profiling slows every target; compare ratios, not req/s)
        --help            this text

      Exit status: 0 all targets met, 3 a target missed (>= 50% of the bare endpoint's
      requests/s), 1 the run failed (errors during the load), 2 it could not start.

      The stateful cluster's benchmarks are separate commands:
      cohort-bench/run stateful-throughput | failover | session-bytes [--help]
      """;

  BenchOptions {
    require(!duration.isNegative() && duration.compareTo(Duration.ofSeconds(1)) >= 0
        && duration.compareTo(Duration.ofMinutes(10)) <= 0, "--duration must be 1s..10m");
    require(!warmup.isNegative() && warmup.compareTo(Duration.ofMinutes(5)) <= 0,
        "--warmup must be 0s..5m");
    require(rounds >= 1 && rounds <= 20, "--rounds must be 1..20");
    require(threads >= 1 && threads <= 64, "--threads must be 1..64");
    require(connections >= threads && connections <= 10_000,
        "--connections must be at least --threads (" + threads + ") and at most 10000");
    require(cartItems >= 1 && cartItems <= 10_000, "--cart-items must be 1..10000");
  }

  static BenchOptions defaults() {
    return new BenchOptions(
        Duration.ofSeconds(15), Duration.ofSeconds(5), 3, 2, 32, 20, Optional.empty(),
        Optional.empty(), false);
  }

  /**
   * Parses {@code args}.
   *
   * @throws IllegalArgumentException saying which argument is wrong and why
   */
  static BenchOptions parse(List<String> args) {
    Duration duration = defaults().duration();
    Duration warmup = defaults().warmup();
    int rounds = defaults().rounds();
    int threads = defaults().threads();
    int connections = defaults().connections();
    int cartItems = defaults().cartItems();
    Optional<Path> packages = Optional.empty();
    Optional<Path> profile = Optional.empty();
    boolean help = false;
    Iterator<String> it = args.iterator();
    while (it.hasNext()) {
      String arg = it.next();
      switch (arg) {
        case "--duration" -> duration = Options.duration(arg, value(arg, it));
        case "--warmup" -> warmup = Options.duration(arg, value(arg, it));
        case "--rounds" -> rounds = integer(arg, value(arg, it));
        case "--threads" -> threads = integer(arg, value(arg, it));
        case "--connections" -> connections = integer(arg, value(arg, it));
        case "--cart-items" -> cartItems = integer(arg, value(arg, it));
        case "--packages" -> packages = Optional.of(Path.of(value(arg, it)));
        case "--profile" -> profile = Optional.of(Path.of(value(arg, it)));
        case "--help", "-h" -> help = true;
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    return new BenchOptions(
        duration, warmup, rounds, threads, connections, cartItems, packages, profile, help);
  }

  /** wrk's options for this load, e.g. {@code -t2 -c32}. */
  String wrkShape() {
    return "-t" + threads + " -c" + connections;
  }
}
