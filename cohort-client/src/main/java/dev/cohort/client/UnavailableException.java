package dev.cohort.client;

import java.util.List;

/**
 * No server could take the call, and the call certainly did not run: every member tried (and the
 * retry server, if any) was unreachable or refused it before running it.
 */
public final class UnavailableException extends CohortClientException {

  private static final long serialVersionUID = 1L;

  private final List<String> attempts;

  UnavailableException(String service, List<String> attempts) {
    super("no server could take " + service + "; tried: " + summary(attempts));
    this.attempts = List.copyOf(attempts);
  }

  /** The distinct failures, each with how many times it happened (rounds repeat them). */
  private static String summary(List<String> attempts) {
    java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    attempts.forEach(a -> counts.merge(a, 1, Integer::sum));
    StringBuilder b = new StringBuilder();
    counts.forEach(
        (a, n) -> b.append(b.isEmpty() ? "" : "; ").append(a).append(n > 1 ? " (" + n + " times)" : ""));
    return b.toString();
  }

  /** Each server tried, with what went wrong there, in order. */
  public List<String> attempts() {
    return attempts;
  }
}
