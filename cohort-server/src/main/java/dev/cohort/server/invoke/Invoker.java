package dev.cohort.server.invoke;

import dev.cohort.api.Document;
import dev.cohort.api.InvalidInputException;
import dev.cohort.api.ServiceException;
import dev.cohort.server.session.LiveSession;
import dev.cohort.server.session.AppAttributeStore;
import dev.cohort.server.session.AttributeCodec;
import dev.cohort.server.session.SaveResult;
import dev.cohort.server.session.SessionsUnavailableException;
import dev.cohort.server.session.Sessions;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a top-level service call and writes its session changes back when it returns. A call
 * that fails leaves its session as it was (only the access time moves). Concurrent changes to the
 * same attribute are refused with {@link ErrorCode#SESSION_CONFLICT}, never silently lost.
 */
public final class Invoker {

  private static final Logger LOG = LoggerFactory.getLogger(Invoker.class);

  private final Sessions sessions;
  private final String nodeName;
  private final ConcurrentMap<String, System.Logger> loggers = new ConcurrentHashMap<>();

  private final AppAttributeStore applicationAttributes;
  private final AttributeCodec codec;
  private final javax.sql.DataSource database;

  /**
   * @param sessions the node's sessions
   * @param nodeName this node's name
   * @param applicationAttributes where application-wide attributes live
   * @param codec serializes application attribute values
   * @param database the shared database, for {@code ServiceContext.transaction()}
   */
  public Invoker(
      Sessions sessions,
      String nodeName,
      AppAttributeStore applicationAttributes,
      AttributeCodec codec,
      javax.sql.DataSource database) {
    this.database = database;
    this.applicationAttributes = applicationAttributes;
    this.codec = codec;
    this.sessions = sessions;
    this.nodeName = nodeName;
  }

  /**
   * Runs {@code call}.
   *
   * @throws CohortError for anything the caller must be told: bad input, a failed service, a
   *     session conflict
   */
  public Outcome invoke(Call call) {
    return invoke(call, null);
  }

  /**
   * Runs {@code call}; when the service returns, {@code completion} (if given) writes into the
   * call's database transaction and commits it, so that both commit or neither does.
   *
   * @throws CohortError for anything the caller must be told: bad input, a failed service, a
   *     session conflict; {@link ErrorCode#COMMIT_FAILED} when the commit itself failed (the
   *     work may or may not be saved)
   * @throws RuntimeException what {@code completion} threw (the work is rolled back)
   */
  public Outcome invoke(Call call, Completion completion) {
    String service = call.service().name().toString();
    InvokeContext context =
        new InvokeContext(
            call,
            sessions,
            loggers.computeIfAbsent(service, ServiceLogger::new),
            nodeName,
            new PackageAttributes(
                applicationAttributes,
                codec,
                call.service().packageName(),
                call.service().classLoader()),
            new CallTransaction(database));
    Document output;
    try {
      if (completion != null && completion.runsFirst()) {
        java.sql.Connection first;
        try {
          first = context.callTransaction().open();
        } catch (java.sql.SQLException e) {
          throw new CohortError(
              ErrorCode.UNAVAILABLE, "the shared database cannot be reached: " + e.getMessage());
        }
        completion.beforeRun(first);
      }
      output = run(call, context, service);
      if (completion != null) {
        completion.commit(context.callTransaction().open(), output);
      }
    } catch (java.sql.SQLException e) {
      context.callTransaction().rollbackQuietly();
      touch(context);
      LOG.error("COH.0200.0003E the outcome of service {} could not be recorded: {}", service, e.getMessage());
      throw new CohortError(
          ErrorCode.COMMIT_FAILED,
          "service " + service + " ran, but its result could not be recorded in the database: "
              + e.getMessage());
    } catch (RuntimeException | Error e) {
      context.callTransaction().rollbackQuietly();
      throw e;
    }
    try {
      context.callTransaction().commit();
    } catch (java.sql.SQLException e) {
      touch(context);
      LOG.error("COH.0200.0003E the database work of service {} could not be committed: {}", service, e.getMessage());
      throw new CohortError(
          ErrorCode.COMMIT_FAILED,
          "service " + service + " ran, but committing its database work failed (" + e.getMessage()
              + "); it may or may not be saved");
    }
    return new Outcome(output, save(context, service));
  }

  private Document run(Call call, InvokeContext context, String service) {
    Document output;
    try {
      output = call.service().service().invoke(call.input(), context);
    } catch (InvalidInputException e) {
      touch(context);
      throw new CohortError(ErrorCode.INVALID_INPUT, e.getMessage());
    } catch (CohortError e) {
      touch(context);
      throw e;
    } catch (SessionsUnavailableException e) {
      throw unavailable(e);
    } catch (ServiceException e) {
      touch(context);
      LOG.error("COH.0200.0001E service {} failed: {}", service, e.getMessage(), e);
      throw new CohortError(ErrorCode.SERVICE_FAILED, "service " + service + " failed: " + e.getMessage());
    } catch (Exception | LinkageError | StackOverflowError e) {
      touch(context);
      LOG.error("COH.0200.0001E service {} failed", service, e);
      throw new CohortError(
          ErrorCode.SERVICE_FAILED,
          "service " + service + " failed; the server log has the details under request id "
              + call.requestId());
    }
    if (output == null) {
      touch(context);
      LOG.error("COH.0200.0002E service {} returned null instead of a document", service);
      throw new CohortError(
          ErrorCode.SERVICE_FAILED, "service " + service + " returned no document");
    }
    return output;
  }

  private Optional<dev.cohort.server.session.SessionData> save(InvokeContext context, String service) {
    Optional<LiveSession> live = context.liveSession();
    if (live.isEmpty()) {
      return Optional.empty();
    }
    LiveSession session = live.get();
    SaveResult result;
    try {
      result = sessions.save(session);
    } catch (SessionsUnavailableException e) {
      throw unavailable(e);
    }
    return switch (result) {
      case SaveResult.Saved saved ->
          session.invalidated() ? Optional.empty() : Optional.of(session.data());
      case SaveResult.Gone gone -> Optional.empty();
      case SaveResult.Conflict conflict -> {
        LOG.warn(
            "COH.0300.0003W session changes of service {} not saved: attribute(s) {} changed by"
                + " a concurrent call",
            service,
            conflict.attributes());
        throw new CohortError(
            ErrorCode.SESSION_CONFLICT,
            "another call changed session attribute(s) "
                + conflict.attributes()
                + " at the same time; this call's session changes were not saved. Call again.");
      }
    };
  }

  /**
   * The 503 for a call whose session could not be read or saved (stateful cluster: minority side
   * of a split, copies not answering, transport restarting), logged as {@code COH.0300.0004E}.
   */
  static CohortError unavailable(SessionsUnavailableException e) {
    LOG.error("COH.0300.0004E {}", e.getMessage());
    return new CohortError(
        ErrorCode.SESSION_UNAVAILABLE,
        e.getMessage() + "; the call's session changes were not saved. Try another node or later.");
  }

  /** Records the access on a failed call's session without saving its changes. */
  private void touch(InvokeContext context) {
    context
        .liveSession()
        .filter(s -> !s.invalidated())
        .ifPresent(
            s -> {
              try {
                sessions.save(sessions.open(s.data(), ClassLoader.getPlatformClassLoader()));
              } catch (RuntimeException e) {
                LOG.debug("could not record session access: {}", e.toString());
              }
            });
  }
}
