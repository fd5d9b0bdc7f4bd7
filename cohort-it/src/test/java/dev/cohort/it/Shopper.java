package dev.cohort.it;

import static org.awaitility.Awaitility.await;

import dev.cohort.it.CartLedger.Attempt;
import dev.cohort.it.CartLedger.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One client, called periodically (its think time between calls). Each call goes to the next of
 * its carts: a cart without a session gets one with its first item, created with credentials on
 * the node the cart was assigned to; the others get an item with the session id alone, each call
 * of a cart through the node after the one of its previous call. A call that does not get a 200 is
 * tried again on the next node, with an item name of its own so that the check can tell the
 * attempts apart, until one acknowledges it.
 */
final class Shopper implements Runnable {

  /** How long one call may keep failing over before the run fails. */
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
  /** Between attempts of a call: a client's back-off, so a failing call does not spin. */
  private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

  private final NodeClient client;
  private final Rotation rotation;
  private final List<CartLedger> carts;
  private final Load load;
  private int next;

  /** @param rotation the nodes to call */
  Shopper(NodeClient client, Rotation rotation, List<CartLedger> carts, Load load) {
    this.client = client;
    this.rotation = rotation;
    this.carts = List.copyOf(carts);
    this.load = load;
  }

  /** One call, with its retries. */
  @Override
  public void run() {
    CartLedger cart = carts.get(next++ % carts.size());
    if (cart.session().isPresent()) {
      add(cart);
      return;
    }
    try {
      create(cart);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The first item, with credentials: the node creates the session. No node fails yet. */
  private void create(CartLedger cart) throws IOException, InterruptedException {
    NodeProcess node = rotation.named(cart.origin);
    String item = cart.nextItem();
    NodeClient.Reply r = client.addItem(node, Optional.empty(), item);
    if (r.status() != 200 || r.session().isEmpty()) {
      throw new AssertionError(
          "creating the session of cart " + cart.index + " on " + node.name + ": "
              + r.status() + " " + r.body());
    }
    cart.created(r.session().get());
    cart.record(new Attempt(item, Outcome.ACKNOWLEDGED, node.name, 200));
    load.counted(Outcome.ACKNOWLEDGED);
  }

  /** One acknowledged item, after as many attempts on as many nodes as it takes. */
  private void add(CartLedger cart) {
    // The k-th call of cart i starts on node i + k: every cart meets every node in turn,
    // retries or not.
    int[] turn = {cart.index + cart.acknowledged()};
    await("a node acknowledges an item for cart " + cart.index)
        .atMost(CALL_DEADLINE)
        .pollInSameThread()
        .pollDelay(Duration.ZERO)
        .pollInterval(RETRY_PAUSE)
        .until(() -> attempt(cart, rotation.pick(turn[0]++)) == Outcome.ACKNOWLEDGED);
  }

  private Outcome attempt(CartLedger cart, NodeProcess node) throws InterruptedException {
    String item = cart.nextItem();
    long sent = System.nanoTime();
    int status = 0;
    Outcome outcome;
    try {
      NodeClient.Reply r = client.addItem(node, cart.session(), item);
      status = r.status();
      outcome =
          switch (status) {
            case 200 -> Outcome.ACKNOWLEDGED;
            case 409 -> Outcome.REFUSED;
            case 503 -> Outcome.UNCERTAIN;
            default -> {
              load.unexpected(
                  "cart " + cart.index + " on " + node.name + ": " + status + " " + r.errorCode());
              yield status < 500 ? Outcome.REFUSED : Outcome.UNCERTAIN;
            }
          };
      if (status == 200 && !r.session().equals(cart.session())) {
        load.unexpected("cart " + cart.index + " on " + node.name + ": the session id changed");
      }
    } catch (ConnectException e) {
      rotation.unreachable(node);
      outcome = Outcome.NOT_SENT;
    } catch (IOException e) {
      outcome = Outcome.UNCERTAIN;
    }
    cart.record(new Attempt(item, outcome, node.name, status));
    load.counted(outcome);
    long killedAt = load.killedAt();
    if (outcome == Outcome.ACKNOWLEDGED && killedAt != 0 && sent > killedAt) {
      cart.acknowledgedAfterKill(System.nanoTime() - killedAt);
    }
    return outcome;
  }
}
