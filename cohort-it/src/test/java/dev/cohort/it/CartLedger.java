package dev.cohort.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a client sent to one session's cart and what it was told: every {@code addItem} attempt
 * with an item name of its own, and its outcome. {@link #check} holds a cart as stored against it.
 * Written by the one client that owns the cart, one call at a time; the attempts are read once the
 * clients have stopped, the counters also while they run.
 */
final class CartLedger {

  /** What an attempt's reply says about whether its item is in the cart. */
  enum Outcome {
    /** 200: the item is in the cart, exactly once. */
    ACKNOWLEDGED,
    /** 409 (or another 4xx): the node refused the change; the item is not in the cart. */
    REFUSED,
    /** The connection was refused: nothing was sent; the item is not in the cart. */
    NOT_SENT,
    /**
     * The exchange broke off or timed out, or a 5xx: the change may have been saved before the
     * failure; the item is in the cart at most once.
     */
    UNCERTAIN
  }

  record Attempt(String item, Outcome outcome, String node, int status) {}

  /** The verdict on a stored cart: what is wrong with it, and what the uncertain attempts did. */
  record Check(
      List<String> problems, int uncertainKept, int uncertainDropped, List<Attempt> keptDespite503) {}

  final int index;
  /** The node the session was created on. */
  final String origin;
  private volatile String session = "";
  private final List<Attempt> attempts = new ArrayList<>();
  private final AtomicInteger acknowledged = new AtomicInteger();
  private final Map<String, Integer> acknowledgedBy = new ConcurrentHashMap<>();
  private volatile long firstAcknowledgedAfterKillNanos = -1;

  CartLedger(int index, String origin) {
    this.index = index;
    this.origin = origin;
  }

  /** The item name of the next attempt, unique within this cart. */
  String nextItem() {
    return "c%02d-%03d".formatted(index, attempts.size());
  }

  void record(Attempt attempt) {
    attempts.add(attempt);
    if (attempt.outcome() == Outcome.ACKNOWLEDGED) {
      acknowledged.incrementAndGet();
      acknowledgedBy.merge(attempt.node(), 1, Integer::sum);
    }
  }

  void created(String sessionId) {
    session = sessionId;
  }

  Optional<String> session() {
    return session.isEmpty() ? Optional.empty() : Optional.of(session);
  }

  /** Acknowledged items so far; safe to read while the owner runs. */
  int acknowledged() {
    return acknowledged.get();
  }

  /** Items of this cart acknowledged by nodes named {@code node}; safe to read while the owner runs. */
  int acknowledgedBy(String node) {
    return acknowledgedBy.getOrDefault(node, 0);
  }

  /** Notes the first acknowledgement of a call sent after the kill, {@code nanos} after it. */
  void acknowledgedAfterKill(long nanos) {
    if (firstAcknowledgedAfterKillNanos < 0) {
      firstAcknowledgedAfterKillNanos = nanos;
    }
  }

  /** How long after the kill a call of this cart was first acknowledged; -1 if none was yet. */
  long firstAcknowledgedAfterKillNanos() {
    return firstAcknowledgedAfterKillNanos;
  }

  /** Every attempt as {@code item outcome@node}, for a failure message. */
  String history() {
    StringBuilder b = new StringBuilder("cart " + index + " (created on " + origin + "):");
    for (Attempt a : attempts) {
      b.append(' ').append(a.item()).append(' ').append(a.outcome());
      if (a.outcome() != Outcome.ACKNOWLEDGED && a.status() != 0) {
        b.append('(').append(a.status()).append(')');
      }
      b.append('@').append(a.node());
    }
    return b.toString();
  }

  /**
   * Holds {@code stored} against the attempts. Calls on a session are sequential and every save
   * is a compare-and-set, so the stored cart must be the attempts' items in the order they were
   * sent, with every acknowledged one, any uncertain one at most once, and nothing else.
   */
  Check check(List<String> stored) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < attempts.size(); i++) {
      position.put(attempts.get(i).item(), i);
    }
    List<String> problems = new ArrayList<>();
    List<Attempt> keptDespite503 = new ArrayList<>();
    int uncertainKept = 0;
    int next = 0;
    for (String item : stored) {
      Integer at = position.get(item);
      if (at == null) {
        problems.add("cart " + index + " holds '" + item + "', which was never sent");
        continue;
      }
      if (at < next) {
        problems.add("cart " + index + " holds '" + item + "' twice or out of order: " + stored);
        continue;
      }
      problems.addAll(missing(next, at));
      Attempt a = attempts.get(at);
      switch (a.outcome()) {
        case ACKNOWLEDGED -> {}
        case UNCERTAIN -> {
          uncertainKept++;
          if (a.status() == 503) {
            keptDespite503.add(a);
          }
        }
        case REFUSED, NOT_SENT ->
            problems.add(
                "cart " + index + " holds '" + item + "', whose call was " + a.outcome()
                    + " (" + a.status() + " from " + a.node() + ")");
      }
      next = at + 1;
    }
    problems.addAll(missing(next, attempts.size()));
    long uncertain = attempts.stream().filter(a -> a.outcome() == Outcome.UNCERTAIN).count();
    return new Check(problems, uncertainKept, (int) uncertain - uncertainKept, keptDespite503);
  }

  /** Acknowledged attempts in [from, to): all of them are missing from the stored cart. */
  private List<String> missing(int from, int to) {
    List<String> problems = new ArrayList<>();
    for (Attempt a : attempts.subList(from, to)) {
      if (a.outcome() == Outcome.ACKNOWLEDGED) {
        problems.add(
            "cart " + index + " (session created on " + origin + ") lost '" + a.item()
                + "', acknowledged by " + a.node());
      }
    }
    return problems;
  }
}
