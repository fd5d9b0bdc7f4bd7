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
    super("no server could take " + service + "; tried: " + String.join("; ", attempts));
    this.attempts = List.copyOf(attempts);
  }

  /** Each server tried, with what went wrong there, in order. */
  public List<String> attempts() {
    return attempts;
  }
}
