package dev.cohort.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  private static final String PG = "jdbc:postgresql://localhost/cohort";

  @Test
  void periodsBecomeUnderscores() {
    assertThat(ClusterConfig.effectiveName("prod.eu.orders")).isEqualTo("prod_eu_orders");
  }

  @Test
  void thirtyTwoCharactersAreKeptLongerNamesBecomeTwentyPlusAHash() {
    String exactly32 = "a".repeat(32);
    assertThat(ClusterConfig.effectiveName(exactly32)).isEqualTo(exactly32);

    String longName = "integration.cluster.for.the.orders.department";
    String effective = ClusterConfig.effectiveName(longName);
    assertThat(effective).hasSize(32).startsWith("integration_cluster_").matches("[a-z_]{20}[0-9a-f]{12}");
    assertThat(ClusterConfig.effectiveName(longName)).as("stable").isEqualTo(effective);
    assertThat(ClusterConfig.effectiveName(longName + "2")).as("distinct").isNotEqualTo(effective);
  }

  @Test
  void logicalHostnameDefaultsToTheNodeNameAndMayNotContainASemicolon() {
    CohortConfig c = ConfigLoader.load(ConfigSources.none().with("node.name", "n1")).config();
    assertThat(c.cluster().logicalHostname()).isEqualTo("n1");
    assertThatThrownBy(() -> ConfigLoader.load(ConfigSources.none().with("scheduler.logical-hostname", "a;b")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("scheduler.logical-hostname: must not contain ';'");
  }

  @Test
  void aClusterNeedsPostgres() {
    assertThatThrownBy(() -> ConfigLoader.load(ConfigSources.none().with("cluster.enabled", "true")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.url: cluster.enabled needs a shared PostgreSQL database");
    assertThat(
            ConfigLoader.load(ConfigSources.none().with("cluster.enabled", "true").with("database.url", PG))
                .config()
                .cluster()
                .enabled())
        .isTrue();
  }

  @Test
  void statefulModeIsRefusedUntilItExists() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    ConfigSources.none()
                        .with("cluster.enabled", "true")
                        .with("database.url", PG)
                        .with("cluster.mode", "stateful")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.mode: stateful clusters");
  }

  @Test
  void clusterSessionTimeoutIsInMinutesAndReplacesTheStandaloneOneWhileClustered() {
    CohortConfig standalone = ConfigLoader.load(ConfigSources.none().with("cluster.session-timeout", "15")).config();
    assertThat(standalone.sessionTimeout()).isEqualTo(Duration.ofMinutes(60));
    CohortConfig clustered =
        ConfigLoader.load(
                ConfigSources.none()
                    .with("cluster.enabled", "true")
                    .with("database.url", PG)
                    .with("cluster.session-timeout", "15"))
            .config();
    assertThat(clustered.sessionTimeout()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void aRemovedNodesOverrideOutranksEverySourceWithANote(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    NodeOverrides.put(dir, "cluster.enabled", "false");
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(
            ConfigSources.none()
                .with("node.data-dir", dir.toString())
                .with("cluster.enabled", "true")
                .with("database.url", PG));
    assertThat(loaded.config().cluster().enabled()).isFalse();
    assertThat(loaded.origins().get("cluster.enabled")).endsWith("node-overrides.yaml");
    assertThat(loaded.notes()).anySatisfy(n -> assertThat(n).contains("removed from its cluster", "node add"));

    NodeOverrides.put(dir, "cluster.enabled", null);
    assertThat(java.nio.file.Files.exists(NodeOverrides.file(dir))).isFalse();
    assertThat(
            ConfigLoader.load(
                    ConfigSources.none()
                        .with("node.data-dir", dir.toString())
                        .with("cluster.enabled", "true")
                        .with("database.url", PG))
                .config().cluster().enabled())
        .isTrue();
  }

  @Test
  void modeMustBeOneOfTheTwo() {
    assertThatThrownBy(() -> ConfigLoader.load(ConfigSources.none().with("cluster.mode", "sticky")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.mode: 'sticky' is not one of stateless, stateful");
  }
}
