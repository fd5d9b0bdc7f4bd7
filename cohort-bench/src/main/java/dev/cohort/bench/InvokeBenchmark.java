package dev.cohort.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The invoke pipeline benchmark: in one JVM, a bare Jetty JSON endpoint (the reference) and a real
 * node; wrk loads each in turn on loopback, and the node's services are reported as ratios of the
 * reference's requests/s measured in the same run.
 *
 * <ul>
 *   <li>{@code samples.hello:greet}: HTTP Basic on every request (the default Argon2id cost; the
 *       credential cache spares the hash after the first call), the session the first call
 *       started sent back like a real client does, so no session is created or written per call.
 *   <li>{@code samples.cart:addItem}: the same, plus a session attribute write per call (the cart
 *       is serialized and stored); every {@code --cart-items} calls a fresh session starts.
 * </ul>
 *
 * <p>All targets are warmed up first, then measured in turn, round after round, with the same wrk
 * threads and connections; each round's ratios compare runs minutes apart at most, and the verdict
 * takes the median over the rounds. See docs/benchmarks.md.
 */
public final class InvokeBenchmark {

  /** The invoke pipeline should reach this share of the bare endpoint's requests/s. */
  static final double TARGET_RATIO = 0.5;

  static final int OK = 0;
  static final int FAILED = 1;
  static final int CANNOT_RUN = 2;
  static final int TARGET_MISSED = 3;

  private static final String HOST = "127.0.0.1";
  private static final String NAME_BODY = "{\"name\":\"Ada\"}";

  private final BenchOptions options;
  private final Map<String, String> env;
  private final PrintStream out;

  private InvokeBenchmark(BenchOptions options, Map<String, String> env, PrintStream out) {
    this.options = options;
    this.env = env;
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.getenv(), System.out, System.err));
  }

  /**
   * Runs the benchmark.
   *
   * @param env the process environment (wrk is looked up on its {@code PATH})
   * @return the exit status (see {@link BenchOptions#USAGE})
   */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("cohort-bench: " + e.getMessage() + " (see --help)");
      return CANNOT_RUN;
    }
    if (options.help()) {
      out.print(BenchOptions.USAGE);
      return OK;
    }
    try {
      return new InvokeBenchmark(options, env, out).run();
    } catch (BenchException e) {
      err.println("cohort-bench: " + e.getMessage());
      return CANNOT_RUN;
    } catch (IOException e) {
      err.println("cohort-bench: " + e);
      return CANNOT_RUN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("cohort-bench: interrupted");
      return CANNOT_RUN;
    } catch (Exception e) {
      err.println("cohort-bench: the benchmark could not run:");
      e.printStackTrace(err);
      return CANNOT_RUN;
    }
  }

  private int run() throws Exception {
    Path wrkExecutable =
        Wrk.find(env.getOrDefault("PATH", ""))
            .orElseThrow(
                () ->
                    new BenchException(
                        "wrk, the load generator, is not installed. Install it with:\n\n    "
                            + Wrk.INSTALL_HINT
                            + "\n\nthen run the benchmark again."));
    Path packages = BenchNode.packagesDir(options.packages(), Path.of(""));
    if (options.profile().isPresent()) {
      Files.createDirectories(options.profile().get());
    }
    Path work = Files.createTempDirectory("cohort-bench-");
    try (ReferenceServer reference = ReferenceServer.start(HOST);
        BenchNode node = BenchNode.start(work.resolve("node"), packages, quiet())) {
      Wrk wrk = new Wrk(wrkExecutable, work, options.threads(), options.connections());
      return measure(wrk, reference, node);
    } finally {
      deleteTree(work);
    }
  }

  private int measure(Wrk wrk, ReferenceServer reference, BenchNode node) throws Exception {
    String referenceUrl = "http://" + HOST + ":" + reference.port();
    Target bare =
        new Target(
            "reference", "bare Jetty JSON (reference)", ReferenceServer.PATH, NAME_BODY,
            Optional.empty(), false, 0, "Hello, Ada!");
    Target greet =
        new Target(
            "greet", "samples.hello:greet (Basic auth)", "/invoke/samples.hello/greet",
            NAME_BODY, Optional.of(node.authorization()), true, 0, "Hello, Ada!");
    Target addItem =
        new Target(
            "addItem", "samples.cart:addItem (session write)", "/invoke/samples.cart/addItem",
            "{\"item\":\"apple\"}", Optional.of(node.authorization()), true, options.cartItems(),
            "\"count\":");
    List<Target> targets = List.of(bare, greet, addItem);
    new Preflight().check(referenceUrl, node, bare, greet, addItem);

    printHeader(node);
    if (!options.warmup().isZero()) {
      for (Target target : targets) {
        WrkResult warm =
            wrk.run("warmup-" + target.name(), target, urlOf(target, referenceUrl, node),
                options.warmup());
        out.printf(Locale.ROOT, "  warm-up  %-38s %,9.0f req/s (discarded)%n", target.label(),
            warm.requestsPerSecond());
        if (!warm.valid()) {
          return failed(wrk, "warmup-" + target.name(), target, warm);
        }
      }
    }
    List<List<Measurement>> rounds = new ArrayList<>();
    for (int round = 1; round <= options.rounds(); round++) {
      List<Measurement> measurements = new ArrayList<>();
      for (Target target : targets) {
        String phase = "measure-" + target.name() + "-" + round;
        Measurement m = measureOne(wrk, phase, target, urlOf(target, referenceUrl, node));
        out.printf(Locale.ROOT, "  round %d  %-38s %,9.0f req/s%n", round, target.label(),
            m.result().requestsPerSecond());
        if (!m.result().valid()) {
          return failed(wrk, phase, target, m.result());
        }
        if (target == greet && m.result().sessionsStarted() > options.connections()) {
          out.printf(
              "%nFAILED: greet started %d sessions for %d connections; the node did not keep the"
                  + " sessions sent back, so this measured session creation, not greet.%n",
              m.result().sessionsStarted(), options.connections());
          return FAILED;
        }
        measurements.add(m);
      }
      rounds.add(measurements);
    }
    out.println();
    Report.rounds(out, rounds);
    out.println();
    Report.summary(out, rounds);
    return verdict(rounds);
  }

  private Measurement measureOne(Wrk wrk, String phase, Target target, String url)
      throws Exception {
    Optional<Profile> profile = Optional.empty();
    if (options.profile().isPresent()) {
      profile = Optional.of(Profile.start(options.profile().get().resolve(phase + ".jfr")));
    }
    try {
      Usage start = Usage.now();
      WrkResult result = wrk.run(phase, target, url, options.duration());
      Measurement m = new Measurement(target, result, Usage.now().since(start));
      if (profile.isPresent()) {
        profile.get().stopAndSummarize(target.label(), out);
      }
      return m;
    } finally {
      profile.ifPresent(Profile::close);
    }
  }

  private static String urlOf(Target target, String referenceUrl, BenchNode node) {
    return target.name().equals("reference") ? referenceUrl : node.baseUrl();
  }

  private void printHeader(BenchNode node) {
    out.printf(
        Locale.ROOT,
        "%nCohort invoke benchmark: wrk %s, %d s warm-up per target, then %d round(s) of %d s"
            + " measured per target, all on 127.0.0.1%n",
        options.wrkShape(),
        options.warmup().toSeconds(),
        options.rounds(),
        options.duration().toSeconds());
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    out.printf(
        Locale.ROOT,
        "machine: %d cores shared by wrk and both servers (one JVM), Java %s, %s %s %s%n",
        os.getAvailableProcessors(),
        Runtime.version(),
        os.getName(),
        os.getVersion(),
        os.getArch());
    out.printf("security: %s%n", node.security());
    out.printf(
        "sessions: greet keeps one per connection; addItem starts a fresh one every %d calls"
            + " (abandoned ones expire after %d s)%n%n",
        options.cartItems(),
        BenchNode.SESSION_TIMEOUT.toSeconds());
  }

  private int failed(Wrk wrk, String phase, Target target, WrkResult result) throws IOException {
    out.printf("%nFAILED: %s during %s: %s%n", target.label(), phase, result.problems());
    for (String sample : wrk.samples(phase)) {
      out.println("  " + sample);
    }
    out.println("A benchmark of errors is worthless; fix the cause and run it again.");
    return FAILED;
  }

  private int verdict(List<List<Measurement>> rounds) {
    boolean met = true;
    out.println();
    for (int i = 1; i < rounds.getFirst().size(); i++) {
      double ratio = Report.medianRatio(rounds, i);
      boolean ok = ratio >= TARGET_RATIO;
      met &= ok;
      out.printf(
          Locale.ROOT,
          "%s: %.2f%% of the bare endpoint's requests/s%s: target (>= %.0f%%) %s (by JVM CPU per"
              + " request: %.1f%%)%n",
          rounds.getFirst().get(i).target().label(),
          100 * ratio,
          rounds.size() > 1 ? " (median of " + rounds.size() + " rounds)" : "",
          100 * TARGET_RATIO,
          ok ? "met" : "NOT MET",
          100 * Report.medianCpuRatio(rounds, i));
    }
    return met ? OK : TARGET_MISSED;
  }

  /** The node's console: silent, since the admin password is preset and nothing else goes there. */
  private static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
