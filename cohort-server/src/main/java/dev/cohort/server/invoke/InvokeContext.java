package dev.cohort.server.invoke;

import dev.cohort.api.ApplicationAttributes;
import dev.cohort.api.Caller;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.Session;
import dev.cohort.server.session.LiveSession;
import dev.cohort.server.session.Sessions;
import dev.cohort.server.session.SessionsFullException;
import java.util.Optional;

/** The {@link ServiceContext} of one call. Not thread-safe: one call, one thread. */
final class InvokeContext implements ServiceContext {

  private final Call call;
  private final Sessions sessions;
  private final System.Logger logger;
  private final String nodeName;
  private LiveSession session;

  private final ApplicationAttributes application;
  private final CallTransaction transaction;

  InvokeContext(
      Call call,
      Sessions sessions,
      System.Logger logger,
      String nodeName,
      ApplicationAttributes application,
      CallTransaction transaction) {
    this.call = call;
    this.transaction = transaction;
    this.application = application;
    this.sessions = sessions;
    this.logger = logger;
    this.nodeName = nodeName;
    this.session =
        call.session().map(s -> sessions.open(s, call.service().classLoader())).orElse(null);
  }

  @Override
  public Session session() {
    if (session == null) {
      try {
        session = sessions.open(sessions.create(call.caller().user()), call.service().classLoader());
      } catch (SessionsFullException e) {
        throw new CohortError(ErrorCode.SESSIONS_FULL, e.getMessage());
      } catch (dev.cohort.server.session.SessionsUnavailableException e) {
        throw Invoker.unavailable(e);
      }
    }
    return session;
  }

  /** The session this call used, if it had or created one. */
  Optional<LiveSession> liveSession() {
    return Optional.ofNullable(session);
  }

  @Override
  public ApplicationAttributes application() {
    return application;
  }

  @Override
  public Caller caller() {
    return call.caller();
  }

  @Override
  public System.Logger logger() {
    return logger;
  }

  @Override
  public String requestId() {
    return call.requestId();
  }

  @Override
  public String nodeName() {
    return nodeName;
  }

  @Override
  public java.sql.Connection transaction() {
    return transaction.forService();
  }

  /** The call's database transaction. */
  CallTransaction callTransaction() {
    return transaction;
  }

  @Override
  public String serviceName() {
    return call.service().name().toString();
  }
}
