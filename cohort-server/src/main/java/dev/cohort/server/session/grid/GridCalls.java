package dev.cohort.server.session.grid;

import dev.cohort.server.cluster.GridUnavailableException;
import dev.cohort.server.session.SessionsUnavailableException;
import java.util.function.Supplier;
import org.infinispan.partitionhandling.AvailabilityException;

/** Turns the grid's failures into {@link SessionsUnavailableException}s that say why. */
final class GridCalls {

  private GridCalls() {}

  /**
   * Runs {@code action}; on failure says "could not {@code what}: " and the reason.
   *
   * @param what e.g. "save session"
   */
  static <T> T call(String what, Supplier<T> action) {
    try {
      return action.get();
    } catch (AvailabilityException e) {
      throw new SessionsUnavailableException(
          "could not " + what + ": this node is on a side of a network split that has lost the"
              + " majority (cluster.failover-priority: consistency)",
          e);
    } catch (org.infinispan.commons.TimeoutException e) {
      throw new SessionsUnavailableException(
          "could not " + what + ": other members did not answer within cluster.sync-timeout", e);
    } catch (GridUnavailableException | org.infinispan.commons.IllegalLifecycleStateException e) {
      throw new SessionsUnavailableException(
          "could not " + what + ": the cluster transport is restarting", e);
    }
  }
}
