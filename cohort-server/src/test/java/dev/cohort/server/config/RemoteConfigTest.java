package dev.cohort.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteConfigTest {

  @TempDir Path dir;

  private ConfigLoader.Loaded load(String yaml, Map<String, String> env) throws IOException {
    Path file = dir.resolve("cohort.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(new ConfigSources(Optional.of(file), env, Map.of()));
  }

  @Test
  void anAliasReadsItsPasswordFromTheEnvironmentOrAFile() throws IOException {
    Path secret = dir.resolve("billing-password");
    Files.writeString(secret, "s3cret-from-file\n");
    ConfigLoader.Loaded loaded =
        load(
            """
            remote:
              aliases:
                orders:
                  url: http://orders-1:5555
                  user: integration
                  password: env:ORDERS_PASSWORD
                  retry-server: http://orders-dr:5555
                billing:
                  url: https://billing:5555
                  user: billing
                  password: file:%s
                  timeout: 5s
                  failover-timeout: 0
            """
                .formatted(secret),
            Map.of("ORDERS_PASSWORD", "s3cret-from-env"));

    RemoteConfig.Alias orders = loaded.config().remote().aliases().get("orders");
    assertThat(orders.url()).isEqualTo(URI.create("http://orders-1:5555"));
    assertThat(orders.user()).isEqualTo("integration");
    assertThat(orders.password().reveal()).isEqualTo("s3cret-from-env");
    assertThat(orders.retryServer()).contains(URI.create("http://orders-dr:5555"));
    assertThat(orders.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(orders.failoverTimeout()).isEqualTo(Duration.ofSeconds(5));
    RemoteConfig.Alias billing = loaded.config().remote().aliases().get("billing");
    assertThat(billing.password().reveal()).isEqualTo("s3cret-from-file");
    assertThat(billing.retryServer()).isEmpty();
    assertThat(billing.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(billing.failoverTimeout()).isZero();
    // What `cohort check` shows: the references, never the passwords.
    assertThat(loaded.raw().toString()).doesNotContain("s3cret");
    assertThat(orders.toString()).doesNotContain("s3cret");
  }

  @Test
  void aPasswordWrittenIntoTheConfigIsRefusedWithoutBeingRepeated() {
    assertThatThrownBy(
            () ->
                load(
                    """
                    remote.aliases.orders.url: http://orders:5555
                    remote.aliases.orders.user: integration
                    remote.aliases.orders.password: hunter2-plain
                    """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remote.aliases.orders.password")
        .hasMessageContaining("env:NAME or file:PATH")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }

  @Test
  void everyMistakeInAnAliasIsNamedWithItsKey() {
    assertThatThrownBy(
            () ->
                load(
                    """
                    remote:
                      aliases:
                        orders:
                          url: ftp://orders
                          password: env:NOT_SET_ANYWHERE
                          retry: http://x:1
                    """,
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remote.aliases.orders.url")
        .hasMessageContaining("remote.aliases.orders.user")
        .hasMessageContaining("NOT_SET_ANYWHERE is not set")
        .hasMessageContaining("remote.aliases.orders.retry: unknown key");
  }

  @Test
  void noAliasesByDefault() {
    assertThat(CohortConfig.defaults().remote().aliases()).isEmpty();
  }
}
