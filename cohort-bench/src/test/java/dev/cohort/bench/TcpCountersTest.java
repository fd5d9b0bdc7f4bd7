package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TcpCountersTest {

  private static final String BEFORE =
      """
      0      0          127.0.0.1:26686      127.0.0.1:44012
      \t cubic wscale:7,7 rto:204 rtt:0.041/0.012 mss:32768 bytes_sent:5100 bytes_acked:5000 bytes_received:7000 segs_out:40
      0      0          127.0.0.1:44012      127.0.0.1:26686
      \t cubic wscale:7,7 rto:204 rtt:0.05/0.02 bytes_sent:7000 bytes_acked:7000 bytes_received:5000
      0      0          127.0.0.1:26786      127.0.0.1:51000
      \t cubic wscale:7,7 rto:204 rtt:0.05/0.02
      """;

  @Test
  void addsUpWhatEveryConnectionEndSentAndWasAcknowledged() {
    TcpCounters.Snapshot snapshot = TcpCounters.parse(BEFORE);

    assertThat(snapshot.ends()).hasSize(3);
    assertThat(snapshot.sent()).isEqualTo(12_000); // an end that sent nothing counts 0
    assertThat(snapshot.ends().get("127.0.0.1:44012 -> 127.0.0.1:26686").acked())
        .isEqualTo(7_000);
  }

  @Test
  void theBytesSinceAnEarlierReadingAreTheDifference() {
    TcpCounters.Snapshot later =
        TcpCounters.parse(
            BEFORE.replace("bytes_acked:5000", "bytes_acked:6500")
                + "0 0 127.0.0.1:26687 127.0.0.1:45000\n\t bytes_acked:100\n");

    assertThat(later.sentSince(TcpCounters.parse(BEFORE))).isEqualTo(1_600);
  }

  @Test
  void aConnectionThatClosedMeanwhileMakesTheCountUnusable() {
    TcpCounters.Snapshot later =
        TcpCounters.parse(BEFORE.substring(0, BEFORE.indexOf("0      0          127.0.0.1:26786")));

    assertThatThrownBy(() -> later.sentSince(TcpCounters.parse(BEFORE)))
        .isInstanceOf(BenchException.class)
        .hasMessageContaining("127.0.0.1:26786 -> 127.0.0.1:51000");
  }
}
