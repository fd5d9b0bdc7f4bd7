package dev.cohort.server.http;

import java.util.concurrent.atomic.AtomicReference;

/** The node's readiness, as {@code /health/ready} reports it to load balancers. */
public final class Health {

  /** Where the node is in its life. */
  public enum State {
    /** Loading; not serving yet. */
    STARTING,
    /** Serving. */
    READY,
    /** Taken offline by an operator: the primary port is closed, the admin port open. */
    OFFLINE,
    /** Shutting down: finishing in-flight requests, refusing new ones. */
    DRAINING,
    /** Stopped. */
    STOPPED
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
  private final AtomicReference<String> degraded = new AtomicReference<>();
  private final java.util.List<java.util.function.Supplier<java.util.Optional<String>>> checks =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public State state() {
    return state.get();
  }

  public void set(State next) {
    state.set(next);
  }

  /** Whether the node serves and nothing it depends on is failing: what load balancers check. */
  public boolean ready() {
    return state.get() == State.READY && degradedReason().isEmpty();
  }

  /**
   * Adds a condition asked at every readiness check: a reason while the node cannot serve (for
   * example, sessions cannot be saved on this side of a split), empty otherwise.
   */
  public void addCheck(java.util.function.Supplier<java.util.Optional<String>> check) {
    checks.add(check);
  }

  /** Something the node depends on is failing ({@code reason}), or works again ({@code null}). */
  public void degraded(String reason) {
    degraded.set(reason);
  }

  /** Why the node is degraded, if it is. */
  public java.util.Optional<String> degradedReason() {
    String reason = degraded.get();
    if (reason != null) {
      return java.util.Optional.of(reason);
    }
    for (var check : checks) {
      java.util.Optional<String> failing = check.get();
      if (failing.isPresent()) {
        return failing;
      }
    }
    return java.util.Optional.empty();
  }
}
