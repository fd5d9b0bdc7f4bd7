package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** What cohort cluster status prints for a given admin API answer; no network. */
class ClusterStatusOutputTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String STATELESS =
      """
      {"cluster":"prod","epoch":5,
       "members":[
        {"name":"node-a","url":"http://10.0.0.1:5555","adminUrl":"http://10.0.0.1:9999","version":"0.1.0",
         "state":"ready","live":true,"heartbeatAgeMillis":1200,"clockSkewMillis":3},
        {"name":"node-b","url":"http://10.0.0.2:5555","adminUrl":"http://10.0.0.2:9999","version":"0.1.0",
         "state":"ready","live":true,"heartbeatAgeMillis":800,"clockSkewMillis":-2500}],
       "mismatches":{"node-b":["packages"]}}
      """;

  private static final String STATEFUL =
      """
      {"cluster":"shop","epoch":3,
       "members":[
        {"name":"node-a","url":"http://10.0.0.1:5555","adminUrl":"http://10.0.0.1:9999","version":"0.1.0",
         "state":"ready","live":true,"heartbeatAgeMillis":200,"clockSkewMillis":0},
        {"name":"node-b","url":"http://10.0.0.2:5555","adminUrl":"http://10.0.0.2:9999","version":"0.1.0",
         "state":"ready","live":true,"heartbeatAgeMillis":100,"clockSkewMillis":0}],
       "mismatches":{},
       "grid":{"cluster":"shop","self":"node-b","coordinator":"node-a","members":["node-a","node-b"],
        "replication":"backup","failoverPriority":"consistency","caches":CACHES}}
      """;

  private static String stateful(String caches) {
    return STATEFUL.replace("CACHES", caches);
  }

  private static String sessionsCache(String availability) {
    return """
        [{"name":"cohort-sessions","mode":"distributed","availability":"%s",
          "rebalancing":false,"topologyId":7,"owners":["node-a","node-b"],"settled":true,
          "localEntries":12}]"""
        .formatted(availability);
  }

  private int exit;
  private String printed;

  private void print(String json) throws Exception {
    StringWriter out = new StringWriter();
    ClusterCommand.Status status = new ClusterCommand.Status();
    status.maxSkew = 1000;
    exit = status.print(JSON.readTree(json), new PrintWriter(out, true));
    printed = out.toString().replace(System.lineSeparator(), "\n");
  }

  @Test
  void aStatelessClusterPrintsTheMemberTableOnly() throws Exception {
    print(STATELESS);
    assertThat(printed)
        .isEqualTo(
            """
            Cluster prod  epoch 5
              NAME                 STATE     URL                              VERSION        HEARTBEAT        CLOCK SKEW
              node-a               ready     http://10.0.0.1:5555             0.1.0          1.2 s ago        +3 ms
              node-b               ready     http://10.0.0.2:5555             0.1.0          0.8 s ago        -2500 ms  !! differs from the others in: packages  !! clock off by more than 1000 ms
            2 of 2 member(s) serving; see the flags above
            """);
    assertThat(exit).isEqualTo(3);
  }

  @Test
  void aStatefulClusterAlsoPrintsTheCacheView() throws Exception {
    print(stateful(sessionsCache("available")));
    assertThat(printed)
        .isEqualTo(
            """
            Cluster shop  epoch 3
              NAME                 STATE     URL                              VERSION        HEARTBEAT        CLOCK SKEW
              node-a               ready     http://10.0.0.1:5555             0.1.0          0.2 s ago        +0 ms
              node-b               ready     http://10.0.0.2:5555             0.1.0          0.1 s ago        +0 ms
            Cache view from node-b
              coordinator        node-a
              members            node-a, node-b
              replication        backup
              failover priority  consistency
              CACHE                MODE         AVAILABILITY   REBALANCING  TOPOLOGY  LOCAL ENTRIES  OWNERS
              cohort-sessions      distributed  available      no           7         12             node-a, node-b
            2 of 2 member(s) serving
            """);
    assertThat(exit).isZero();
  }

  @Test
  void aDegradedCacheIsFlaggedAndMakesTheExitCodeThree() throws Exception {
    print(stateful(sessionsCache("degraded_mode")));
    assertThat(printed)
        .containsPattern(
            "cohort-sessions +distributed +degraded_mode .*node-a, node-b  !! DEGRADED: sessions refused on this"
                + " side; see cohort cluster failover-action\n")
        .endsWith("2 of 2 member(s) serving; see the flags above\n");
    assertThat(exit).isEqualTo(3);
  }

  @Test
  void aCacheWhoseOwnersAreNotTheViewsMembersIsFlaggedAsNotSettled() throws Exception {
    // Right after a merge view: both members in the view, the cache still on this node alone.
    print(
        stateful(
            sessionsCache("available")
                .replace("[\"node-a\",\"node-b\"],\"settled\":true", "[\"node-b\"],\"settled\":false")));
    assertThat(printed)
        .containsPattern(
            "cohort-sessions +distributed +available .* node-b  !! OWNERS DIFFER FROM THE VIEW: not"
                + " settled; check again in a few seconds\n")
        .endsWith("2 of 2 member(s) serving; see the flags above\n");
    assertThat(exit).isEqualTo(3);
  }

  @Test
  void aNodeWithoutRunningCachesIsFlagged() throws Exception {
    print(stateful("[]"));
    assertThat(printed).contains("no cache runs on this node  !! it cannot serve sessions").doesNotContain("CACHE ");
    assertThat(exit).isEqualTo(3);
  }
}
