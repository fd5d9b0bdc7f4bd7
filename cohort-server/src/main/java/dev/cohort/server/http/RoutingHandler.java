package dev.cohort.server.http;

import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The shared frame of both ports' handlers: an {@link Exchange} per request, node and request id
 * in the log context, {@link CohortError}s turned into JSON errors, and anything unexpected into
 * a 500 with a request id (the trace goes to the log, never to the caller).
 */
public abstract class RoutingHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(RoutingHandler.class);

  private final String nodeName;

  protected RoutingHandler(String nodeName) {
    this.nodeName = nodeName;
  }

  protected abstract void route(Exchange exchange);

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Exchange exchange = new Exchange(request, response, callback, nodeName);
    MDC.put("node", nodeName);
    MDC.put("req", exchange.requestId());
    try {
      route(exchange);
    } catch (CohortError e) {
      reply(exchange, e);
    } catch (dev.cohort.server.session.SessionsUnavailableException e) {
      LOG.error("COH.0300.0004E {}", e.getMessage());
      reply(exchange, new CohortError(ErrorCode.SESSION_UNAVAILABLE, e.getMessage() + "; try another node or later"));
    } catch (RuntimeException | LinkageError e) {
      LOG.error(
          "COH.0500.0001E unexpected failure on {} {}", exchange.method(), exchange.path(), e);
      reply(
          exchange,
          new CohortError(
              ErrorCode.INTERNAL,
              "internal error; the server log has the details under request id "
                  + exchange.requestId()));
    } finally {
      MDC.remove("req");
      MDC.remove("node");
    }
    return true;
  }

  private static void reply(Exchange exchange, CohortError error) {
    if (exchange.responded()) {
      LOG.debug("error after the response was sent: {}", error.getMessage());
      return;
    }
    try {
      exchange.error(error);
    } catch (RuntimeException e) {
      exchange.fail(e);
    }
  }
}
