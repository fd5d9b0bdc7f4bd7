package dev.cohort.samples;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.Session;
import dev.cohort.api.ServiceContext;
import java.util.UUID;

/** A shopping cart kept in the caller's session: a conversation across calls (and, in a cluster, nodes). */
public final class Cart {

  static final String CART = "cart";
  private static final int MAX_ITEM_LENGTH = 200;

  /** {@code {"item":"apple"}} → {@code {"count":N}}, N the number of items now in the cart. */
  @CohortService("samples.cart:addItem")
  public Document addItem(Document input, ServiceContext context) {
    String item = input.requireString("item").strip();
    if (item.isEmpty() || item.length() > MAX_ITEM_LENGTH) {
      throw new InvalidInputException(
          "field 'item' must be 1 to " + MAX_ITEM_LENGTH + " characters");
    }
    Session session = context.session();
    CartItems cart = session.get(CART, CartItems.class).orElseGet(CartItems::new);
    cart.add(item);
    session.put(CART, cart);
    return Document.of("count", cart.count());
  }

  /**
   * {@code {"line":"L7","item":"apple"}} → {@code {"count":N,"added":true}}: adds the item as
   * cart line {@code line}, once. Idempotent: calling it again with the same line changes nothing
   * ({@code "added":false}), so a client may safely repeat it after a node failure.
   */
  @CohortService("samples.cart:putItem")
  public Document putItem(Document input, ServiceContext context) {
    String line = input.requireString("line").strip();
    String item = input.requireString("item").strip();
    if (line.isEmpty() || line.length() > MAX_ITEM_LENGTH || item.isEmpty() || item.length() > MAX_ITEM_LENGTH) {
      throw new InvalidInputException(
          "fields 'line' and 'item' must be 1 to " + MAX_ITEM_LENGTH + " characters");
    }
    Session session = context.session();
    CartItems cart = session.get(CART, CartItems.class).orElseGet(CartItems::new);
    boolean added = cart.put(line, item);
    if (added) {
      session.put(CART, cart);
    }
    return Document.of("count", cart.count(), "added", added);
  }

  /** {@code {}} → {@code {"items":[...]}}. */
  @CohortService("samples.cart:listItems")
  public Document listItems(Document input, ServiceContext context) {
    CartItems cart = context.session().get(CART, CartItems.class).orElseGet(CartItems::new);
    return Document.of("items", cart.items());
  }

  /** {@code {}} → {@code {"orderId":"...","items":[...],"count":N}}; empties the cart. */
  @CohortService("samples.cart:checkout")
  public Document checkout(Document input, ServiceContext context) {
    Session session = context.session();
    CartItems cart =
        session
            .get(CART, CartItems.class)
            .filter(c -> c.count() > 0)
            .orElseThrow(() -> new InvalidInputException("the cart is empty; add items first"));
    session.remove(CART);
    String orderId = UUID.randomUUID().toString();
    context
        .logger()
        .log(System.Logger.Level.INFO, "order {0} placed with {1} item(s)", orderId, cart.count());
    return Document.of("orderId", orderId, "items", cart.items()).put("count", cart.count());
  }
}
