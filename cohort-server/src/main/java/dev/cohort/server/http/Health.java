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
    /** Shutting down: finishing in-flight requests, refusing new ones. */
    DRAINING,
    /** Stopped. */
    STOPPED
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);

  public State state() {
    return state.get();
  }

  public void set(State next) {
    state.set(next);
  }

  public boolean ready() {
    return state.get() == State.READY;
  }
}
