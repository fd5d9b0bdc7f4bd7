package dev.cohort.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * One client of the failover benchmark: a shopping conversation (its own session) that adds items
 * to its cart on one node, one call after another with a short pause, until a call fails; then it
 * retries at once, without pause, on the other node until a call succeeds. What it saw is kept for
 * the report and for checking the cart afterwards.
 */
final class Conversation implements Runnable {

  /** Pause between calls before the failure: a client's think time. */
  static final Duration THINK = Duration.ofMillis(5);

  /** How long the client keeps retrying on the survivor before giving up. */
  static final Duration GIVE_UP = Duration.ofSeconds(60);

  private static final String ADD = "/invoke/samples.cart/addItem";

  private final String name;
  private final Client client;
  private final String authorization;
  private final boolean credentialsEveryCall;
  private final NodeProcess victim;
  private final NodeProcess survivor;
  private final CountDownLatch steady;
  private final int steadyAfter;

  private volatile String session;
  private final List<String> acknowledged = new ArrayList<>();
  private volatile String inFlight;
  private volatile String retryItem;
  private volatile long failedAt;
  private volatile long recoveredAt;
  private volatile int countAfterRecovery;
  private final Map<String, Integer> retryOutcomes = new LinkedHashMap<>();
  private volatile String problem;
  private volatile boolean stop;

  /**
   * @param name names this conversation's items ({@code <name>-1}, …)
   * @param steady counted down once this conversation has {@code steadyAfter} items acknowledged
   */
  Conversation(
      String name,
      Client client,
      String authorization,
      boolean credentialsEveryCall,
      NodeProcess victim,
      NodeProcess survivor,
      CountDownLatch steady,
      int steadyAfter) {
    this.name = name;
    this.client = client;
    this.authorization = authorization;
    this.credentialsEveryCall = credentialsEveryCall;
    this.victim = victim;
    this.survivor = survivor;
    this.steady = steady;
    this.steadyAfter = steadyAfter;
  }

  @Override
  public void run() {
    try {
      talkUntilFailure();
      if (problem == null && !stop) {
        retryOnSurvivor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted";
    } catch (RuntimeException e) {
      problem = e.toString();
    } finally {
      if (acknowledged.size() < steadyAfter) {
        steady.countDown();
      }
    }
  }

  private void talkUntilFailure() throws InterruptedException {
    for (int n = 1; !stop; n++) {
      String item = name + "-" + n;
      inFlight = item;
      Client.Reply reply;
      try {
        reply = add(victim, item);
      } catch (IOException e) {
        failedAt = System.nanoTime();
        return;
      }
      if (reply.status() != 200) {
        failedAt = System.nanoTime();
        retryOutcomes.merge("victim " + reply.status(), 1, Integer::sum);
        return;
      }
      session = reply.session().orElse(session);
      if (reply.json().path("count").asInt() != acknowledged.size() + 1) {
        problem = "count " + reply.body() + " after " + acknowledged.size() + " acknowledged items";
        return;
      }
      acknowledged.add(item);
      inFlight = null;
      if (acknowledged.size() == steadyAfter) {
        steady.countDown();
      }
      Thread.sleep(THINK.toMillis());
    }
  }

  private void retryOnSurvivor() throws InterruptedException {
    retryItem = name + "-retry";
    long deadline = failedAt + GIVE_UP.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Client.Reply reply = add(survivor, retryItem);
        if (reply.status() == 200) {
          recoveredAt = System.nanoTime();
          countAfterRecovery = reply.json().path("count").asInt();
          if (!reply.session().equals(Optional.ofNullable(session))) {
            problem = "the survivor answered with another session: " + reply.session();
          }
          return;
        }
        String code = reply.json().path("error").path("code").asText("");
        retryOutcomes.merge(reply.status() + (code.isEmpty() ? "" : " " + code), 1, Integer::sum);
      } catch (IOException e) {
        retryOutcomes.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
    problem = "no successful call on " + survivor.name() + " within " + GIVE_UP.toSeconds() + " s";
  }

  private Client.Reply add(NodeProcess node, String item) throws IOException, InterruptedException {
    // A session id alone authenticates as its user; the first call logs in.
    boolean login = credentialsEveryCall || session == null;
    return client.post(
        node.baseUrl() + ADD,
        "{\"item\":" + Client.quote(item) + "}",
        login ? Optional.of(authorization) : Optional.empty(),
        Optional.ofNullable(session));
  }

  /** Ends the conversation if it is still talking to the victim (the kill never came). */
  void stop() {
    stop = true;
  }

  /**
   * Checks the cart as {@code node} serves it now: every acknowledged item in order, then the item
   * in flight at the failure at most once (it may or may not have been stored), then the retried
   * one; and the count the successful retry answered agrees.
   *
   * @return what is wrong, or empty if the cart is intact
   */
  Optional<String> checkCart(NodeProcess node) throws IOException, InterruptedException {
    if (problem != null) {
      return Optional.of(problem);
    }
    Client.Reply reply =
        client.post(
            node.baseUrl() + "/invoke/samples.cart/listItems", "{}", Optional.of(authorization),
            Optional.ofNullable(session));
    if (reply.status() != 200) {
      return Optional.of("listItems on " + node.name() + " answered " + reply.status() + " " + reply.body());
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : reply.json().path("items")) {
      items.add(item.asText());
    }
    List<String> withoutInFlight = new ArrayList<>(acknowledged);
    withoutInFlight.add(retryItem);
    List<String> withInFlight = new ArrayList<>(acknowledged);
    if (inFlight != null) {
      withInFlight.add(inFlight);
    }
    withInFlight.add(retryItem);
    if (!items.equals(withoutInFlight) && !items.equals(withInFlight)) {
      return Optional.of(
          "the cart on " + node.name() + " is " + items + "; expected " + withoutInFlight
              + (inFlight == null ? "" : " or " + withInFlight));
    }
    if (countAfterRecovery != items.size()) {
      return Optional.of(
          "the retry answered count " + countAfterRecovery + " but the cart holds " + items.size());
    }
    return Optional.empty();
  }

  /** Nanoseconds from {@code killedAt} to the first successful call on the survivor. */
  long recoveryNanos(long killedAt) {
    return recoveredAt - killedAt;
  }

  /** When the first call failed ({@link System#nanoTime}); 0 if none did. */
  long failedAt() {
    return failedAt;
  }

  boolean recovered() {
    return recoveredAt != 0 && problem == null;
  }

  /** What the failed calls answered: status and error code, or the exception, with counts. */
  Map<String, Integer> retryOutcomes() {
    return Map.copyOf(retryOutcomes);
  }

  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }
}
