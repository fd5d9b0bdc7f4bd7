package dev.cohort.server.http;

import dev.cohort.api.Document;
import dev.cohort.server.http.Authentication.Authenticated;
import dev.cohort.server.http.Authentication.Credentials;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.session.SessionData;
import dev.cohort.server.session.Sessions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Browser-style session endpoints: {@code POST /login} (JSON {@code user}/{@code password} or
 * HTTP Basic; always a new session id), {@code GET /session} (who am I, and the CSRF token), and
 * {@code POST /logout}.
 */
final class SessionRoutes {

  private static final long MAX_LOGIN_BODY = 16 * 1024;

  private final Authentication authentication;
  private final Sessions sessions;
  private final SessionHeaders sessionHeaders;

  SessionRoutes(Authentication authentication, Sessions sessions, SessionHeaders sessionHeaders) {
    this.authentication = authentication;
    this.sessions = sessions;
    this.sessionHeaders = sessionHeaders;
  }

  void login(Exchange exchange) {
    Credentials credentials = credentials(exchange);
    Authenticated auth = authentication.login(exchange, credentials);
    sessionHeaders.apply(exchange, auth, auth.session());
    exchange.json(200, describe(auth, auth.session().orElseThrow()));
  }

  void session(Exchange exchange) {
    Authenticated auth = authentication.resolve(exchange, false);
    SessionData session =
        auth.session()
            .orElseThrow(
                () -> new CohortError(ErrorCode.UNAUTHENTICATED, "no session; log in first"));
    sessionHeaders.apply(exchange, auth, auth.session());
    exchange.json(200, describe(auth, session));
  }

  void logout(Exchange exchange) {
    Authenticated auth = authentication.resolve(exchange, true);
    auth.session().ifPresent(s -> sessions.invalidate(s.id()));
    sessionHeaders.apply(exchange, auth, Optional.empty());
    exchange.json(200, Map.of("loggedOut", auth.session().isPresent()));
  }

  private static Credentials credentials(Exchange exchange) {
    Optional<Credentials> basic = Authentication.basic(exchange);
    if (basic.isPresent()) {
      return basic.get();
    }
    Document body = exchange.jsonBody(MAX_LOGIN_BODY);
    Optional<String> user = body.string("user");
    Optional<String> password = body.string("password");
    if (user.isEmpty() || password.isEmpty()) {
      throw new CohortError(
          ErrorCode.INVALID_INPUT,
          "send {\"user\":\"...\",\"password\":\"...\"} or HTTP Basic credentials");
    }
    return new Credentials(user.get(), password.get());
  }

  private static Map<String, Object> describe(Authenticated auth, SessionData session) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", auth.caller().user());
    body.put("groups", auth.caller().groups().stream().sorted().toList());
    body.put("csrfToken", session.csrfToken());
    body.put("createdAt", session.createdAt());
    body.put("idleTimeoutSeconds", session.maxIdle().toSeconds());
    return body;
  }
}
