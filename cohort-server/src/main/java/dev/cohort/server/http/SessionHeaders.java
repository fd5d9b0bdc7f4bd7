package dev.cohort.server.http;

import dev.cohort.server.http.Authentication.Authenticated;
import dev.cohort.server.session.SessionData;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;

/**
 * Tells the client which session to use next: {@code X-Cohort-Session} on every response of a
 * call that has a session, and the {@code cohort_session} cookie when the id is new to the client
 * (or removed when its session ended).
 */
final class SessionHeaders {

  private final boolean cookieSecure;

  SessionHeaders(boolean cookieSecure) {
    this.cookieSecure = cookieSecure;
  }

  void apply(Exchange exchange, Authenticated auth, Optional<SessionData> session) {
    if (session.isPresent()) {
      String id = session.get().id();
      exchange.setHeader(Authentication.SESSION_HEADER, id);
      if (!auth.requestedSessionId().map(id::equals).orElse(false)) {
        exchange.addCookie(cookie(exchange, id, -1));
      }
    } else if (auth.sessionFromCookie()) {
      exchange.addCookie(cookie(exchange, "", 0));
    }
  }

  private HttpCookie cookie(Exchange exchange, String value, long maxAge) {
    return HttpCookie.build(Authentication.SESSION_COOKIE, value)
        .path("/")
        .httpOnly(true)
        .secure(cookieSecure || exchange.secure())
        .sameSite(HttpCookie.SameSite.LAX)
        .maxAge(maxAge)
        .build();
  }
}
