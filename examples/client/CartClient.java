import com.fasterxml.jackson.databind.JsonNode;
import dev.cohort.client.Call;
import dev.cohort.client.CohortClient;
import dev.cohort.client.CohortClientException;
import java.net.URI;
import java.util.Map;

/**
 * A cart conversation through the Java client: put a few items in the cart, list them, check
 * out. Run it against `bin/cohort start` (see README.md next to this file):
 *
 *   COHORT_PASSWORD=... java -cp 'cohort-client/target/*:cohort-client/target/lib/*' \
 *       examples/client/CartClient.java [http://localhost:5555 ...]
 */
public class CartClient {

  public static void main(String[] args) {
    String password = System.getenv("COHORT_PASSWORD");
    if (password == null || password.isEmpty()) {
      System.err.println("set COHORT_PASSWORD to the Administrator password bin/cohort start printed");
      System.exit(2);
    }
    CohortClient.Builder builder = CohortClient.builder().credentials("Administrator", password);
    if (args.length == 0) {
      builder.servers(URI.create("http://localhost:5555"));
    }
    for (String server : args) {
      builder.servers(URI.create(server));
    }
    try (CohortClient client = builder.build()) {
      String[] items = {"apple", "bread", "coffee"};
      for (int i = 0; i < items.length; i++) {
        // putItem adds cart line L<n> once, so the client may repeat it if a node fails mid-call.
        JsonNode reply =
            client.invoke(
                "samples.cart:putItem", Map.of("line", "L" + (i + 1), "item", items[i]), Call.idempotent());
        System.out.printf("added %s, %d item(s) in the cart (served by %s)%n",
            items[i], reply.path("count").asInt(), client.currentServer());
      }
      System.out.println("cart: " + client.invoke("samples.cart:listItems", Map.of()).path("items"));
      JsonNode order = client.invoke("samples.cart:checkout", Map.of());
      System.out.println("order " + order.path("orderId").asText() + " placed with "
          + order.path("count").asInt() + " item(s); session " + client.session().orElse("-"));
    } catch (CohortClientException e) {
      System.err.println("failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
