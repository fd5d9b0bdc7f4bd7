package dev.cohort.server.http;

import dev.cohort.api.Caller;
import dev.cohort.api.Document;
import dev.cohort.server.gd.GuaranteedDelivery;
import dev.cohort.server.gd.Tx;
import dev.cohort.server.gd.TxState;
import dev.cohort.server.http.Authentication.Authenticated;
import dev.cohort.server.invoke.Call;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.invoke.Invoker;
import dev.cohort.server.invoke.Outcome;
import dev.cohort.server.pkg.RegisteredService;
import dev.cohort.server.pkg.ServiceName;
import dev.cohort.server.pkg.ServiceRegistry;
import dev.cohort.server.security.Decision;
import dev.cohort.server.security.Realm;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /invoke/folder.subfolder/service}: authenticate, find the service, check its ACL,
 * read the JSON object, run it, send the result with the session headers.
 */
final class InvokeRoute {

  static final String PREFIX = "/invoke/";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";
  static final String TX_STATE = "X-Cohort-Tx-State";
  private static final Logger LOG = LoggerFactory.getLogger(InvokeRoute.class);

  private final Authentication authentication;
  private final Realm realm;
  private final ServiceRegistry registry;
  private final Invoker invoker;
  private final GuaranteedDelivery gd;
  private final SessionHeaders sessionHeaders;
  private final long maxBodySize;
  private final MeterRegistry meters;
  private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

  InvokeRoute(
      Authentication authentication,
      Realm realm,
      ServiceRegistry registry,
      Invoker invoker,
      GuaranteedDelivery gd,
      SessionHeaders sessionHeaders,
      long maxBodySize,
      MeterRegistry meters) {
    this.authentication = authentication;
    this.realm = realm;
    this.registry = registry;
    this.invoker = invoker;
    this.gd = gd;
    this.sessionHeaders = sessionHeaders;
    this.maxBodySize = maxBodySize;
    this.meters = meters;
  }

  /** How a call is run. */
  enum Mode {
    /** {@code /invoke/...}: plainly, or once per {@code Idempotency-Key} if the header is sent. */
    PLAIN,
    /** {@code /gd/tx/{tid}/invoke/...}: under a transaction, waiting for the outcome. */
    INVOKE,
    /** {@code /gd/tx/{tid}/submit/...}: under a transaction, in the background. */
    SUBMIT
  }

  void handle(Exchange exchange) {
    handle(exchange, exchange.path().substring(PREFIX.length()), Mode.PLAIN, null);
  }

  /**
   * Runs the service at {@code path} ({@code folder.sub/name}) the way {@code mode} says, under
   * transaction {@code tid} unless {@link Mode#PLAIN}.
   */
  void handle(Exchange exchange, String path, Mode mode, String tid) {
    long start = System.nanoTime();
    Optional<RegisteredService> service = registry.findByPath(path);
    try {
      run(exchange, path, service, mode, tid);
    } catch (CohortError e) {
      exchange.error(e);
    } finally {
      timer(service.map(s -> s.name().toString()).orElse("unknown"), exchange.status())
          .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(String service, int status) {
    return timers.computeIfAbsent(
        service + ' ' + status,
        key ->
            Timer.builder("cohort.invoke")
                .description("Service calls on the primary port, by service and HTTP status")
                .tag("service", service)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .register(meters));
  }

  private void run(
      Exchange exchange, String path, Optional<RegisteredService> service, Mode mode, String tid) {
    if (!exchange.method().equals("POST")) {
      exchange.setHeader("Allow", "POST");
      exchange.error(ErrorCode.METHOD_NOT_ALLOWED, "services are called with POST");
      return;
    }
    Authenticated auth = authentication.resolve(exchange, true);
    try {
      Caller caller = auth.caller();
      if (service.isEmpty()) {
        if (caller.anonymous()) {
          throw unauthenticated(auth, "authentication required");
        }
        throw new CohortError(
            ErrorCode.NO_SERVICE,
            ServiceName.fromPath(path)
                .map(n -> "no service " + n + " is deployed on this node")
                .orElse("'" + path + "' is not a service path; call /invoke/folder.subfolder/service"));
      }
      RegisteredService target = service.get();
      Decision decision = realm.authorize(caller, target.name().toString(), registry::aclFor);
      if (!decision.allowed()) {
        if (caller.anonymous()) {
          throw unauthenticated(auth, "service " + target.name() + " requires authentication");
        }
        LOG.warn(
            "COH.0400.0004W user {} denied {}: {}", caller.user(), target.name(), decision.reason());
        throw new CohortError(
            ErrorCode.FORBIDDEN,
            "user " + caller.user() + " may not run " + target.name() + " (ACL " + decision.acl() + ")");
      }
      Document input = exchange.jsonBody(maxBodySize);
      Call call = new Call(target, input, caller, auth.session(), exchange.requestId());
      Optional<String> key = exchange.header(IDEMPOTENCY_KEY);
      switch (mode) {
        case PLAIN -> {
          if (key.isPresent()) {
            reply(exchange, auth, gd.invokeWithKey(call, key.get()));
          } else {
            Outcome outcome = invoker.invoke(call);
            sessionHeaders.apply(exchange, auth, outcome.session());
            exchange.json(200, outcome.output());
          }
        }
        case INVOKE -> reply(exchange, auth, gd.invoke(call, tid, startOf(exchange)));
        case SUBMIT -> {
          boolean discard = exchange.query("end").map(Boolean::parseBoolean).orElse(false);
          Tx tx = gd.submit(call, tid, discard, startOf(exchange));
          sessionHeaders.apply(exchange, auth, auth.session());
          exchange.setHeader(TX_STATE, tx.state().name());
          exchange.json(202, tx.describe(false));
        }
      }
    } catch (CohortError e) {
      if (e.code() != ErrorCode.UNAUTHENTICATED) {
        sessionHeaders.apply(exchange, auth, auth.session());
      }
      throw e;
    }
  }

  /**
   * {@code ?start=true} (with optional {@code ttlSeconds} and {@code retries}): the invoke starts
   * its transaction when it does not exist.
   */
  private static Optional<GuaranteedDelivery.Start> startOf(Exchange exchange) {
    Optional<String> start = exchange.query("start");
    if (start.isEmpty() || start.get().equals("false")) {
      if (exchange.query("ttlSeconds").isPresent() || exchange.query("retries").isPresent()) {
        throw new CohortError(ErrorCode.INVALID_INPUT, "ttlSeconds and retries go with start=true");
      }
      return Optional.empty();
    }
    if (!start.get().equals("true")) {
      throw new CohortError(ErrorCode.INVALID_INPUT, "start must be true or false");
    }
    return Optional.of(
        new GuaranteedDelivery.Start(
            wholeNumber(exchange, "ttlSeconds").map(java.time.Duration::ofSeconds),
            wholeNumber(exchange, "retries").map(Math::toIntExact)));
  }

  private static Optional<Long> wholeNumber(Exchange exchange, String name) {
    return exchange
        .query(name)
        .map(
            v -> {
              try {
                long n = Long.parseLong(v);
                if (n < 0 || n > Integer.MAX_VALUE) {
                  throw new NumberFormatException();
                }
                return n;
              } catch (NumberFormatException e) {
                throw new CohortError(ErrorCode.INVALID_INPUT, name + " must be a whole number");
              }
            });
  }

  private void reply(Exchange exchange, Authenticated auth, GuaranteedDelivery.Result result) {
    exchange.setHeader(
        TX_STATE,
        result.error() == null
            ? TxState.DONE.name()
            : result.replayed() ? result.tx().state().name() : TxState.FAILED.name());
    if (result.replayed()) {
      exchange.setHeader(REPLAYED, "true");
    }
    if (result.error() != null) {
      throw result.error();
    }
    sessionHeaders.apply(exchange, auth, result.outcome().session());
    exchange.json(200, result.outcome().output());
  }

  private static CohortError unauthenticated(Authenticated auth, String message) {
    return new CohortError(
        ErrorCode.UNAUTHENTICATED,
        auth.staleSession()
            ? message + "; the session sent has expired or is unknown, log in again"
            : message + "; send HTTP Basic credentials or a session");
  }

}
