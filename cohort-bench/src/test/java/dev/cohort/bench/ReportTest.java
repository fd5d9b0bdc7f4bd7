package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static final ToDoubleFunction<Double> SELF = d -> d;

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Report.median(List.of(3.0, 1.0, 2.0), SELF)).isEqualTo(2.0);
    assertThat(Report.median(List.of(4.0, 1.0, 3.0, 2.0), SELF)).isEqualTo(2.5);
  }

  @Test
  void theRatioIsTheMedianOfEachRoundsRatioNotARatioOfMedians() {
    // Round 1 ran on a fast machine, round 2 on a slow one, round 3 in between.
    List<List<Measurement>> rounds =
        List.of(
            List.of(run("reference", 40_000), run("greet", 24_000)), // 60%
            List.of(run("reference", 10_000), run("greet", 4_000)), // 40%
            List.of(run("reference", 20_000), run("greet", 10_000))); // 50%

    assertThat(Report.medianRatio(rounds, 1)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(Report.medianRatio(rounds, 0)).isEqualTo(1.0);
  }

  private static Measurement run(String name, long requestsPerSecond) {
    WrkResult result =
        new WrkResult(
            requestsPerSecond, Duration.ofSeconds(1), 1_000, 5_000, 9_000, 0, 0, 0, 0, 0, 0,
            java.util.Map.of());
    Target target = new Target(name, name, "/" + name, "{}", Optional.empty(), false, 0, "ok");
    Usage usage = new Usage(1_000_000_000L, 500_000_000L, 1L << 20, Optional.empty());
    return new Measurement(target, result, usage);
  }
}
