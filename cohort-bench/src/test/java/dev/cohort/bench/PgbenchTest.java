package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgbenchTest {

  /** pgbench 15's report of a -N run, as it printed it on the benchmark machine. */
  private static final String OUTPUT =
      """
      pgbench (15.18 (Debian 15.18-0+deb12u1), server 18.1)
      transaction type: <builtin: simple update>
      scaling factor: 1
      query mode: prepared
      number of clients: 8
      number of threads: 2
      maximum number of tries: 1
      duration: 10 s
      number of transactions actually processed: 83435
      number of failed transactions: 2 (0.002%)
      latency average = 0.959 ms
      initial connection time = 9.880 ms
      tps = 8343.596130 (without initial connection time)
      """;

  @Test
  void readsTheRateTheCountAndTheFailures() {
    Pgbench.Result result = Pgbench.parse(OUTPUT).orElseThrow();

    assertThat(result.perSecond()).isEqualTo(8343.59613);
    assertThat(result.transactions()).isEqualTo(83_435);
    assertThat(result.failed()).isEqualTo(2);
  }

  @Test
  void anAbortedRunHasNoResult() {
    String aborted =
        """
        pgbench (15.18 (Debian 15.18-0+deb12u1), server 18.1)
        pgbench: error: client 3 aborted in command 1 (SQL) of script 0; ERROR:  relation "pgbench_accounts" does not exist
        """;

    assertThat(Pgbench.parse(aborted)).isEmpty();
  }
}
