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
  void aStatefulClusterNeedsALongEnoughSecretAndValidMembersWithoutEverPrintingTheSecret() {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    ConfigSources.none()
                        .with("cluster.enabled", "true")
                        .with("database.url", PG)
                        .with("cluster.mode", "stateful")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.secret: a stateful cluster needs a shared secret of at least 16");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    ConfigSources.none()
                        .with("cluster.enabled", "true")
                        .with("database.url", PG)
                        .with("cluster.mode", "stateful")
                        .with("cluster.secret", "short-secret")
                        .with("cluster.transport.members", "10.0.0.1:7800,nohost,10.0.0.2:99999")
                        .with("cluster.heartbeat-frequency", "1s")
                        .with("cluster.drop-time", "1500ms")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.secret: must be at least 16 characters long")
        .hasMessageContaining("'nohost' is not host:port")
        .hasMessageContaining("'10.0.0.2:99999' is not host:port")
        .hasMessageContaining("cluster.drop-time: must be at least twice cluster.heartbeat-frequency")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void aStatefulClusterWithItsSettingsLoads() {
    CohortConfig config =
        ConfigLoader.load(
                ConfigSources.none()
                    .with("cluster.enabled", "true")
                    .with("database.url", PG)
                    .with("cluster.mode", "stateful")
                    .with("cluster.secret", "a-secret-of-24-characters")
                    .with("cluster.transport.members", " 10.0.0.1:7800 , 10.0.0.2:7800")
                    .with("cluster.replication", "backup")
                    .with("cluster.backups", "2")
                    .with("cluster.failover-priority", "consistency"))
            .config();
    assertThat(config.cluster().stateful()).isTrue();
    assertThat(config.cluster().transport().members()).containsExactly("10.0.0.1:7800", "10.0.0.2:7800");
    assertThat(config.cluster().transport().secret().toString()).isEqualTo("****");
    assertThat(config.cluster().replication()).isEqualTo(ClusterConfig.Replication.BACKUP);
    assertThat(config.cluster().backups()).isEqualTo(2);
    assertThat(config.cluster().failoverPriority()).isEqualTo(ClusterConfig.FailoverPriority.CONSISTENCY);
    assertThat(config.cluster().transport().heartbeat()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.cluster().transport().dropTime()).isEqualTo(Duration.ofMillis(3000));
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
