package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StatefulBenchmarksTest {

  @Test
  void nodesGetAFixedResidentHeapThenBinCohortsDefaultsThenTheUsersOptionsWhichWinByComingLast() {
    assertThat(
            StatefulBenchmarks.jvmOptions(
                Map.of(
                    "COHORT_BENCH_NODE_DEFAULT_JAVA_OPTS", " -XX:+UseTransparentHugePages ",
                    "COHORT_BENCH_NODE_JAVA_OPTS", "-XX:-UseTransparentHugePages  -Xlog:gc")))
        .containsExactly(
            "-Xms1g",
            "-Xmx1g",
            "-XX:+AlwaysPreTouch",
            "-XX:+UseTransparentHugePages",
            "-XX:-UseTransparentHugePages",
            "-Xlog:gc");
  }

  @Test
  void withoutEitherVariableOnlyTheHeap() {
    assertThat(StatefulBenchmarks.jvmOptions(Map.of()))
        .containsExactly("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch");
  }
}
