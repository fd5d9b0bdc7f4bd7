package dev.cohort.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    BenchOptions options = BenchOptions.parse(List.of());

    assertThat(options).isEqualTo(BenchOptions.defaults());
    assertThat(options.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.rounds()).isEqualTo(3);
    assertThat(options.wrkShape()).isEqualTo("-t2 -c32");
    assertThat(options.packages()).isEmpty();
  }

  @Test
  void readsEveryOptionAndTheLastOccurrenceWins() {
    BenchOptions options =
        BenchOptions.parse(
            List.of(
                "--packages", "/a", "--duration", "2m", "--warmup", "0s", "--rounds", "1",
                "--threads", "4", "--connections", "64", "--cart-items", "5", "--profile",
                "/tmp/p", "--packages", "/b"));

    assertThat(options.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(options.warmup()).isZero();
    assertThat(options.rounds()).isEqualTo(1);
    assertThat(options.wrkShape()).isEqualTo("-t4 -c64");
    assertThat(options.cartItems()).isEqualTo(5);
    assertThat(options.packages()).isEqualTo(Optional.of(Path.of("/b")));
    assertThat(options.profile()).isEqualTo(Optional.of(Path.of("/tmp/p")));
  }

  @Test
  void refusesWhatWrkCannotDo() {
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--threads", "8", "--connections", "4")))
        .hasMessageContaining("--connections must be at least --threads (8)");
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--duration", "1.5s")))
        .hasMessageContaining("whole seconds or minutes");
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--duration", "0s")))
        .hasMessageContaining("--duration must be 1s..10m");
  }

  @Test
  void namesAnUnknownArgumentOrAMissingValue() {
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--fast")))
        .hasMessageContaining("unknown argument '--fast'");
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--rounds")))
        .hasMessageContaining("--rounds needs a value");
    assertThatThrownBy(() -> BenchOptions.parse(List.of("--rounds", "three")))
        .hasMessageContaining("--rounds takes a whole number, not 'three'");
  }
}
