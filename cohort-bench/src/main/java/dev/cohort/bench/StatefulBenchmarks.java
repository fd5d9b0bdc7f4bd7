package dev.cohort.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The stateful-cluster benchmarks: {@code cohort-bench/run stateful-throughput | failover |
 * session-bytes} (see {@link StatefulOptions#USAGE} and docs/benchmarks.md). Every node runs in
 * its own JVM from the packaged CLI; the clusters share an embedded PostgreSQL server.
 */
public final class StatefulBenchmarks {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int CANNOT_RUN = 2;
  static final int TARGET_MISSED = 3;

  private StatefulBenchmarks() {}

  public static void main(String[] args) {
    System.exit(run(List.of(args), System.getenv(), System.out, System.err));
  }

  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    StatefulOptions options;
    try {
      options = StatefulOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("cohort-bench: " + e.getMessage() + " (see --help)");
      return CANNOT_RUN;
    }
    if (options.help()) {
      out.print(StatefulOptions.USAGE);
      return OK;
    }
    Path work = null;
    try {
      work = Files.createTempDirectory("cohort-bench-stateful-");
      return run(options, env, work, out);
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
    } finally {
      if (work != null) {
        deleteTree(work, err);
      }
    }
  }

  private static int run(StatefulOptions options, Map<String, String> env, Path work, PrintStream out)
      throws Exception {
    Path packages =
        Rig.packages(
            options.packages().orElseThrow(() -> new BenchException("--packages DIR is needed")),
            options.benchPackage()
                .orElseThrow(() -> new BenchException("--bench-package DIR is needed")),
            work.resolve("packages"));
    NodeProcess.Launcher launcher =
        new NodeProcess.Launcher(
            NodeProcess.Launcher.currentJava(),
            options.cliJar().orElseThrow(() -> new BenchException("--cli JAR is needed")),
            jvmOptions(env));
    printMachine(out, launcher);
    out.println(
        options.nodeSettings().isEmpty()
            ? "node settings: the defaults (plus ports, data directory, packages, database)"
            : "node settings: the defaults, EXCEPT " + options.nodeSettings());
    try (Postgres postgres = Postgres.start()) {
      Rig rig = new Rig(launcher, postgres, work, packages, options.nodeSettings(), out);
      return switch (options.command()) {
        case STATEFUL_THROUGHPUT -> new StatefulThroughput(options, rig, env).run();
        case FAILOVER -> new FailoverBenchmark(options, rig).run();
        case SESSION_BYTES -> new SessionBytesBenchmark(options, rig).run();
        case GD_THROUGHPUT -> new GdThroughput(options, rig, env).run();
      };
    }
  }

  /**
   * Node JVM options: a 1 GiB heap, resident from the start ({@code -XX:+AlwaysPreTouch}) as a
   * node's heap is once it has run for a while (a process killed with SIGKILL closes its sockets
   * only after the kernel has freed its memory, so a freshly started node with little of its heap
   * touched would fail over faster than a real one); the options {@code bin/cohort} gives a node by
   * default ({@code COHORT_BENCH_NODE_DEFAULT_JAVA_OPTS}, set by {@code cohort-bench/run} from
   * {@code bin/java-options.sh}); then {@code COHORT_BENCH_NODE_JAVA_OPTS}.
   */
  static List<String> jvmOptions(Map<String, String> env) {
    List<String> options = new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"));
    for (String name :
        List.of("COHORT_BENCH_NODE_DEFAULT_JAVA_OPTS", "COHORT_BENCH_NODE_JAVA_OPTS")) {
      String more = env.getOrDefault(name, "").strip();
      if (!more.isEmpty()) {
        options.addAll(List.of(more.split("\\s+")));
      }
    }
    return options;
  }

  private static void printMachine(PrintStream out, NodeProcess.Launcher launcher) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    out.printf(
        Locale.ROOT,
        "machine: %d cores shared by every node JVM, the load and PostgreSQL; Java %s, %s %s %s%n"
            + "nodes: separate JVMs (java %s -jar cohort-cli.jar start), all on 127.0.0.1%n",
        os.getAvailableProcessors(),
        Runtime.version(),
        os.getName(),
        os.getVersion(),
        os.getArch(),
        String.join(" ", launcher.jvmOptions()));
  }

  private static void deleteTree(Path root, PrintStream err) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      err.println("cohort-bench: could not delete " + root + ": " + e.getMessage());
    }
  }
}
