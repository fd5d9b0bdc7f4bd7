package dev.cohort.server.invoke;

import dev.cohort.api.ServiceException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database transaction of one service call ({@code ServiceContext.transaction()}): opened on
 * first use, committed by the {@link Invoker} when the service returns, rolled back when it
 * fails. The service sees the connection through a guard that refuses commit, rollback, close
 * and auto-commit changes, so that it cannot split what must commit together.
 */
final class CallTransaction {

  private static final Logger LOG = LoggerFactory.getLogger(CallTransaction.class);
  private static final Set<String> REFUSED =
      Set.of("commit", "rollback", "close", "setAutoCommit", "abort", "setSavepoint", "releaseSavepoint");

  private final DataSource dataSource;
  private Connection connection;
  private Connection guarded;

  CallTransaction(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The guarded connection the service uses; opens the transaction on first call. */
  Connection forService() {
    if (guarded == null) {
      try {
        open();
      } catch (SQLException e) {
        throw new ServiceException("the shared database cannot be reached: " + e.getMessage(), e);
      }
      guarded = guard(connection);
    }
    return guarded;
  }

  /** The real connection, opened if the service never asked for it. */
  Connection open() throws SQLException {
    if (connection == null) {
      if (dataSource == null) {
        throw new SQLException("this node has no database");
      }
      Connection c = dataSource.getConnection();
      try {
        c.setAutoCommit(false);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
      connection = c;
    }
    return connection;
  }

  boolean opened() {
    return connection != null;
  }

  /** Commits and returns the connection to the pool. */
  void commit() throws SQLException {
    if (connection == null) {
      return;
    }
    try {
      connection.commit();
    } finally {
      closeQuietly();
    }
  }

  /** Rolls back (if anything was opened) and returns the connection to the pool. */
  void rollbackQuietly() {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback of a call's transaction failed: {}", e.toString());
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      connection.close();
    } catch (SQLException e) {
      LOG.debug("closing a call's connection failed: {}", e.toString());
    }
    connection = null;
    guarded = null;
  }

  private static Connection guard(Connection real) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (REFUSED.contains(method.getName())) {
            throw new SQLException(
                "a service must not " + method.getName() + " the connection of"
                    + " ServiceContext.transaction(); Cohort commits it when the service returns");
          }
          if (method.getName().equals("isClosed") && real.isClosed()) {
            return true;
          }
          try {
            return method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            CallTransaction.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }
}
