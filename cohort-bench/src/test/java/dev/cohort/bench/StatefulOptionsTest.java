package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatefulOptionsTest {

  @Test
  void theFirstArgumentNamesTheBenchmarkAndEachHasItsDefaults() {
    StatefulOptions throughput = StatefulOptions.parse(List.of("stateful-throughput"));
    StatefulOptions failover = StatefulOptions.parse(List.of("failover"));
    StatefulOptions bytes = StatefulOptions.parse(List.of("session-bytes"));

    assertThat(throughput.command()).isEqualTo(StatefulOptions.Command.STATEFUL_THROUGHPUT);
    assertThat(throughput.wrkShape()).isEqualTo("-t2 -c32");
    assertThat(throughput.replications())
        .containsExactly(Deployment.Replication.ALL, Deployment.Replication.BACKUP);
    assertThat(failover.replications())
        .containsExactly(Deployment.Replication.BACKUP, Deployment.Replication.ALL);
    assertThat(failover.kills()).isEqualTo(8);
    assertThat(bytes.sizes()).containsExactly(1024, 100 * 1024, 1024 * 1024);
    assertThat(bytes.nodeSettings()).isEmpty();
  }

  @Test
  void readsEveryOptionAndTheLastOccurrenceWins() {
    StatefulOptions options =
        StatefulOptions.parse(
            List.of(
                "session-bytes", "--duration", "1m", "--warmup", "0s", "--rounds", "5",
                "--threads", "4", "--connections", "64", "--cart-items", "7", "--replication",
                "all", "--kills", "3", "--clients", "2", "--credentials", "every-call", "--sizes", "10,2k,3M", "--requests", "50",
                "--nodes", "3", "--set", "cluster.heartbeat-frequency=100ms", "--packages", "/p",
                "--bench-package", "/b", "--cli", "/c.jar", "--replication", "backup,all"));

    assertThat(options.duration()).isEqualTo(Duration.ofMinutes(1));
    assertThat(options.warmup()).isZero();
    assertThat(options.rounds()).isEqualTo(5);
    assertThat(options.wrkShape()).isEqualTo("-t4 -c64");
    assertThat(options.cartItems()).isEqualTo(7);
    assertThat(options.replications())
        .containsExactly(Deployment.Replication.BACKUP, Deployment.Replication.ALL);
    assertThat(options.kills()).isEqualTo(3);
    assertThat(options.clients()).isEqualTo(2);
    assertThat(options.credentialsEveryCall()).isTrue();
    assertThat(StatefulOptions.parse(List.of("failover")).credentialsEveryCall()).isFalse();
    assertThat(options.sizes()).containsExactly(10, 2048, 3 << 20);
    assertThat(options.requests()).isEqualTo(50);
    assertThat(options.nodes()).isEqualTo(3);
    assertThat(options.nodeSettings()).isEqualTo(Map.of("cluster.heartbeat-frequency", "100ms"));
    assertThat(options.packages()).isEqualTo(Optional.of(Path.of("/p")));
    assertThat(options.benchPackage()).isEqualTo(Optional.of(Path.of("/b")));
    assertThat(options.cliJar()).isEqualTo(Optional.of(Path.of("/c.jar")));
  }

  @Test
  void refusesWhatCannotBeMeasuredFairly() {
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("--duration", "5s")))
        .hasMessageContaining("name the benchmark first");
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("stateful-throughput", "--threads", "3")))
        .hasMessageContaining("same number of threads for each node");
    assertThatThrownBy(
            () -> StatefulOptions.parse(List.of("stateful-throughput", "--connections", "33")))
        .hasMessageContaining("multiple of --threads");
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("failover", "--replication", "some")))
        .hasMessageContaining("all, backup");
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("session-bytes", "--sizes", "1g")))
        .hasMessageContaining("1k,100k,1m");
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("failover", "--set", "novalue")))
        .hasMessageContaining("KEY=VALUE");
    assertThatThrownBy(() -> StatefulOptions.parse(List.of("failover", "--credentials", "never")))
        .hasMessageContaining("first-call or every-call");
  }

  @Test
  void sizesReadAsTheyAreWritten() {
    assertThat(StatefulOptions.size(1024)).isEqualTo("1 KB");
    assertThat(StatefulOptions.size(100 * 1024)).isEqualTo("100 KB");
    assertThat(StatefulOptions.size(1 << 20)).isEqualTo("1 MB");
    assertThat(StatefulOptions.size(1000)).isEqualTo("1000 B");
  }
}
