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
}
