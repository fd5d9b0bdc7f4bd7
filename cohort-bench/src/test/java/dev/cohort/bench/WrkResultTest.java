package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WrkResultTest {

  private static final String OUTPUT =
      """
      Running 15s test @ http://127.0.0.1:40123
        2 threads and 32 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     1.02ms    1.10ms  30.12ms   93.40%
          Req/Sec    15.92k     1.20k   18.70k    71.00%
        Latency Distribution
           50%  812.00us
           99%    5.61ms
        475321 requests in 15.00s, 80.12MB read
      Requests/sec:  31688.07
      Transfer/sec:      5.34MB
      cohort-bench: requests=475321 duration_us=15000000 p50_us=812 p99_us=5610 max_us=30120\
       unexpected=0 missing_session=0 sessions_started=32 logouts=0 connect_errors=0 read_errors=0 write_errors=0\
       timeouts=0 status_errors=0
      """;

  @Test
  void readsTheResultLine() {
    WrkResult result = WrkResult.parse(OUTPUT);

    assertThat(result.requests()).isEqualTo(475_321);
    assertThat(result.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(result.requestsPerSecond()).isCloseTo(31_688.07, org.assertj.core.data.Offset.offset(0.01));
    assertThat(result.p50Micros()).isEqualTo(812);
    assertThat(result.p99Micros()).isEqualTo(5_610);
    assertThat(result.maxMicros()).isEqualTo(30_120);
    assertThat(result.sessionsStarted()).isEqualTo(32);
    assertThat(result.valid()).isTrue();
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void readsLogoutsAndTheCorrectResponsesOfEachPort() {
    WrkResult result =
        WrkResult.parse(
            "cohort-bench-port: port=41001 correct=600\n"
                + "cohort-bench-port: port=41002 correct=400\n"
                + OUTPUT.replace("requests=475321", "requests=1000").replace("logouts=0", "logouts=50"));

    assertThat(result.logouts()).isEqualTo(50);
    assertThat(result.callsPerSecond()).isCloseTo(950 / 15.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(result.correctByPort()).containsEntry(41001, 600L).containsEntry(41002, 400L);
  }

  @Test
  void anyErrorMakesTheRunInvalidAndSaysWhy() {
    WrkResult result =
        WrkResult.parse(
            OUTPUT
                .replace("unexpected=0", "unexpected=7")
                .replace("status_errors=0", "status_errors=7")
                .replace("timeouts=0", "timeouts=2"));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems())
        .contains("7 response(s) not a 200 with the expected body")
        .contains("2 socket error(s) or timeout(s)")
        .doesNotContain("error status");
  }

  @Test
  void aMissingSessionHeaderMakesTheRunInvalid() {
    WrkResult result = WrkResult.parse(OUTPUT.replace("missing_session=0", "missing_session=1"));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).contains("1 response(s) without X-Cohort-Session");
  }

  @Test
  void aRunWithoutRequestsIsInvalid() {
    WrkResult result = WrkResult.parse(OUTPUT.replace("requests=475321", "requests=0"));

    assertThat(result.valid()).isFalse();
    assertThat(result.problems()).contains("no request completed");
  }

  @Test
  void outputWithoutTheResultLineIsRefusedQuotingItsEnd() {
    assertThatThrownBy(() -> WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no 'cohort-bench:' result line")
        .hasMessageContaining("Connection refused");
  }

  @Test
  void aResultLineMissingFieldsIsRefusedNamingThem() {
    assertThatThrownBy(() -> WrkResult.parse("cohort-bench: requests=10 duration_us=1000000\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("p50_us")
        .hasMessageContaining("timeouts");
  }

  @Test
  void aNonNumericFieldIsRefused() {
    assertThatThrownBy(() -> WrkResult.parse(OUTPUT.replace("p50_us=812", "p50_us=8.12")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("p50_us=8.12");
  }
}
