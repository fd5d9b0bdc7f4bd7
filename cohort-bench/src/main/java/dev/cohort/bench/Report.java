package dev.cohort.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Prints the results as Markdown tables (readable as they are, and pasteable into the docs). In
 * every round the first measurement is the reference that round's ratios are taken against.
 */
final class Report {

  private Report() {}

  /** One row per target and round. */
  static void rounds(PrintStream out, List<List<Measurement>> rounds) {
    out.println(
        "| round | target | req/s | p50 | p99 | vs bare Jetty | cores busy (JVM / all) | JVM CPU"
            + " µs/req | alloc KiB/req | sessions started |");
    out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int round = 0; round < rounds.size(); round++) {
      Measurement reference = rounds.get(round).getFirst();
      for (Measurement m : rounds.get(round)) {
        WrkResult r = m.result();
        out.println(
            String.format(
                Locale.ROOT,
                "| %d | %s | %,.0f | %s | %s | %.1f%% | %.2f / %s | %.1f | %.1f | %s |",
                round + 1,
                m.target().label(),
                r.requestsPerSecond(),
                millis(r.p50Micros()),
                millis(r.p99Micros()),
                100 * m.ratioTo(reference),
                m.usage().jvmCores(),
                m.usage().machineCores().map(c -> String.format(Locale.ROOT, "%.2f", c)).orElse("?"),
                m.cpuMicrosPerRequest(),
                m.allocatedKibPerRequest(),
                m.target().sessions()
                    ? String.format(Locale.ROOT, "%,d", r.sessionsStarted())
                    : "-"));
      }
    }
  }

  /** One row per target: medians over the rounds. */
  static void summary(PrintStream out, List<List<Measurement>> rounds) {
    out.printf(
        "Median of %d round(s); ratios are medians of each round's ratio. 'by CPU' compares the"
            + " JVM CPU time per request (bare's / this one's), which wrk's share of the cores"
            + " does not skew.%n%n",
        rounds.size());
    out.println(
        "| target | req/s | p50 | p99 | vs bare Jetty | JVM CPU µs/req | vs bare by CPU |"
            + " alloc KiB/req |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < rounds.getFirst().size(); i++) {
      List<Measurement> runs = of(rounds, i);
      out.println(
          String.format(
              Locale.ROOT,
              "| %s | %,.0f | %s | %s | %.1f%% | %.1f | %.1f%% | %.1f |",
              runs.getFirst().target().label(),
              median(runs, m -> m.result().requestsPerSecond()),
              millis(Math.round(median(runs, m -> m.result().p50Micros()))),
              millis(Math.round(median(runs, m -> m.result().p99Micros()))),
              100 * medianRatio(rounds, i),
              median(runs, Measurement::cpuMicrosPerRequest),
              100 * medianCpuRatio(rounds, i),
              median(runs, Measurement::allocatedKibPerRequest)));
    }
  }

  /** The median over the rounds of target {@code i}'s requests/s as a share of the reference's. */
  static double medianRatio(List<List<Measurement>> rounds, int i) {
    return median(rounds, round -> round.get(i).ratioTo(round.getFirst()));
  }

  /**
   * The median over the rounds of the reference's JVM CPU time per request as a share of target
   * {@code i}'s: the throughput ratio the server alone would allow.
   */
  static double medianCpuRatio(List<List<Measurement>> rounds, int i) {
    return median(rounds, round -> round.get(i).cpuRatioTo(round.getFirst()));
  }

  static String millis(long micros) {
    return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
  }

  static <T> double median(List<T> values, ToDoubleFunction<T> metric) {
    double[] sorted = values.stream().mapToDouble(metric).sorted().toArray();
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values to take the median of");
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  private static List<Measurement> of(List<List<Measurement>> rounds, int i) {
    return rounds.stream().map(round -> round.get(i)).toList();
  }
}
