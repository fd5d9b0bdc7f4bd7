package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** cohort cluster failover-action's command line; no node is contacted. */
class FailoverActionCommandTest {

  final Cli cli = new Cli();

  @Test
  void twoActionsAreAUsageError() {
    assertThat(cli.run("cluster", "failover-action", "--promote", "--restart")).isEqualTo(2);
    assertThat(cli.err())
        .contains("--promote, --restart are mutually exclusive (specify only one)")
        .contains("Usage: cohort cluster failover-action");
    assertThat(cli.run("cluster", "failover-action", "--restart", "--fail-fast", "--promote")).isEqualTo(2);
    assertThat(cli.err()).contains("mutually exclusive");
  }

  @Test
  void noActionIsAUsageError() {
    assertThat(cli.run("cluster", "failover-action", "--admin", "http://127.0.0.1:1")).isEqualTo(2);
    assertThat(cli.err())
        .contains("Missing required argument (specify one of these): (--promote | --restart | --fail-fast)");
  }

  @Test
  void helpExplainsEachActionAndWarnsAgainstPromotingBothSides() {
    assertThat(cli.run("cluster", "failover-action", "--help")).isZero();
    assertThat(cli.out())
        .contains("Action (exactly one):")
        .containsPattern("--promote +Serve session reads and writes on this side again")
        .containsPattern("--restart +Drop this node's cached sessions and rejoin")
        .containsPattern("--fail-fast +Stop this node now.")
        .contains("--promote on both sides of a split makes them diverge");
  }
}
