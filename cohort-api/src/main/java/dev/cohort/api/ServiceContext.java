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
}
