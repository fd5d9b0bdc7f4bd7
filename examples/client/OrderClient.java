import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.client.CohortClient;
import dev.cohort.client.TContext;
import dev.cohort.client.TxResult;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Places orders exactly once with guaranteed delivery ({@link TContext}): kill it at any moment
 * (Ctrl-C, kill -9) and run it again — it first finishes what the last run left pending, from its
 * job log in ./order-client-log, and no order is placed twice.
 *
 * <pre>
 * COHORT_PASSWORD=... java -cp 'cohort-client/target/*:cohort-client/target/lib/*' \
 *     examples/client/OrderClient.java [count] [server...]
 * </pre>
 */
public final class OrderClient {

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    URI[] servers =
        args.length > 1
            ? Arrays.stream(args, 1, args.length).map(URI::create).toArray(URI[]::new)
            : new URI[] {URI.create("http://localhost:5555")};
    String password = System.getenv("COHORT_PASSWORD");
    if (password == null || password.isEmpty()) {
      System.err.println("set COHORT_PASSWORD to the Administrator's password");
      System.exit(2);
    }
    try (CohortClient client = CohortClient.builder().servers(servers).credentials("Administrator", password).build();
        TContext tc = TContext.builder().client(client).jobLog(Path.of("order-client-log")).build()) {
      for (String tid : tc.pending()) {
        TxResult result = tc.retrieveTx(tid, true);
        if (result.done()) {
          JsonNode order = result.output().orElseThrow();
          System.out.println("finished " + tid + " from the last run: order " + order.path("orderId").asText());
        } else {
          System.out.println("dropped " + tid + " from the last run: it stopped before placing its order");
        }
        tc.endTx(tid);
      }
      for (int i = 1; i <= count; i++) {
        String tid = tc.startTx(Duration.ofMinutes(10), 3);
        JsonNode order = tc.invokeTx(tid, "samples.orders:placeOrder", Map.of("sku", "book-" + i, "qty", 1));
        System.out.println("placed " + tid + ": order " + order.path("orderId").asText());
        tc.endTx(tid);
      }
      JsonNode count2 = client.invoke("samples.orders:countOrders", Map.of());
      System.out.println(count2.path("count").asLong() + " order(s) in the database");
    }
  }
}
