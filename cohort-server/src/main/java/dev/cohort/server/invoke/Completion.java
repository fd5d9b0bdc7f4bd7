package dev.cohort.server.invoke;

import dev.cohort.api.Document;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What must commit in the same database transaction as a service's own work
 * ({@code ServiceContext.transaction()}): guaranteed delivery writes its DONE record here.
 */
@FunctionalInterface
public interface Completion {

  /**
   * Called after the service returned {@code output}, with the call's connection (opened now if
   * the service never asked for one): writes what must commit with the work, and may commit the
   * transaction itself (to send its last write and the commit together); the invoker's own commit
   * then finds nothing left to do. Throwing rolls back whatever is not committed; the exception
   * reaches the caller of {@link Invoker#invoke(Call, Completion)} unchanged, a {@link
   * SQLException} as {@code COMMIT_FAILED}.
   */
  void commit(Connection connection, Document output) throws SQLException;

  /**
   * Whether {@link #beforeRun} must be called: the call's transaction is then opened before the
   * service runs, and its first statement is the completion's own.
   */
  default boolean runsFirst() {
    return false;
  }

  /**
   * Called (when {@link #runsFirst}) with the call's connection before the service runs. Throwing
   * keeps the service from running: the transaction is rolled back and the exception reaches the
   * caller of {@link Invoker#invoke(Call, Completion)} unchanged.
   */
  default void beforeRun(Connection connection) {}
}
