package dev.cohort.api;

/** What a running service can see of its call: the session, the caller, a logger. */
public interface ServiceContext {

  /**
   * The caller's session. Callers authenticated with a password always have one; for an
   * anonymous caller it is created on first use. Attributes set here are saved when the
   * top-level service returns.
   */
  Session session();

  /**
   * Values shared by all services of this service's package, on every node of the cluster (tc
   * Server's context attributes).
   */
  ApplicationAttributes application();

  /** Who is calling. */
  Caller caller();

  /** A logger whose lines carry the node name and this request's id. */
  System.Logger logger();

  /** The id of this request, also returned to the caller and written in every log line. */
  String requestId();

  /** The name of the node running this call. */
  String nodeName();

  /** The full name of the service being run, {@code folder.subfolder:service}. */
  String serviceName();

  /**
   * A connection to the cluster's shared database (PostgreSQL in a cluster, the node's H2
   * database when standalone), inside a transaction that Cohort commits when this service
   * returns a result and rolls back when it throws. Opened on the first call; every later call
   * in the same service run returns the same connection.
   *
   * <p>Under guaranteed delivery (a transaction id or an {@code Idempotency-Key}) the commit is
   * the same database transaction that records the call DONE: the work done here happens exactly
   * once, even when a node crashes at any point. Declare such a service {@code exactly-once} in
   * the package manifest.
   *
   * <p>Do not commit, roll back, close the connection or change its auto-commit mode: those
   * calls throw {@link java.sql.SQLException}. Do not keep it after the service returns.
   *
   * @throws ServiceException when the database cannot be reached
   */
  java.sql.Connection transaction();
}
