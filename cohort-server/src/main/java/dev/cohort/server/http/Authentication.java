package dev.cohort.server.http;

import dev.cohort.api.Caller;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import dev.cohort.server.security.Realm;
import dev.cohort.server.session.SessionData;
import dev.cohort.server.session.Sessions;
import dev.cohort.server.session.SessionsFullException;
import dev.cohort.server.session.SessionsUnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Works out who is calling from HTTP Basic credentials, the {@code X-Cohort-Session} header or
 * the {@code cohort_session} cookie, and which session the call runs in.
 *
 * <ul>
 *   <li>Credentials always win and are always checked. With a session of the same user, that
 *       session continues; with a session of another user or of the anonymous caller, the
 *       session is rotated (new id, so a planted id is worthless); without one, a session is
 *       created.
 *   <li>A session id alone authenticates as the session's user, as long as that user still
 *       exists and is enabled.
 *   <li>A state-changing request whose session came from the cookie must echo the session's
 *       CSRF token in {@code X-Cohort-CSRF}; a cross-site request (Fetch Metadata) carrying
 *       ambient credentials is refused.
 * </ul>
 */
public final class Authentication {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Authentication.class);

  public static final String SESSION_HEADER = "X-Cohort-Session";
  public static final String SESSION_COOKIE = "cohort_session";
  public static final String CSRF_HEADER = "X-Cohort-CSRF";

  private final Realm realm;
  private final Sessions sessions;

  public Authentication(Realm realm, Sessions sessions) {
    this.realm = realm;
    this.sessions = sessions;
  }

  /**
   * The caller and session of a request.
   *
   * @param caller who is calling
   * @param session the session to run in; empty for an anonymous caller without one
   * @param requestedSessionId the session id the request carried, if any
   * @param sessionFromCookie whether that id came from the cookie
   */
  public record Authenticated(
      Caller caller,
      Optional<SessionData> session,
      Optional<String> requestedSessionId,
      boolean sessionFromCookie) {

    /** Whether the request carried a session id that is no longer valid. */
    public boolean staleSession() {
      return requestedSessionId.isPresent() && session.isEmpty();
    }
  }

  /** A user name and password as the caller sent them. */
  public record Credentials(String user, String password) {

    @Override
    public String toString() {
      return "Credentials[user=" + user + ", password=****]";
    }
  }

  /**
   * Authenticates the request.
   *
   * @throws CohortError 401 for wrong credentials or a session whose user is gone, 403 for a
   *     missing CSRF token or a cross-site request
   */
  public Authenticated resolve(Exchange exchange, boolean stateChanging) {
    Optional<Credentials> credentials = basic(exchange);
    Requested requested = requested(exchange, credentials);
    Optional<String> sessionId = requested.id();
    boolean fromCookie = requested.fromCookie();
    Optional<SessionData> session = sessionId.flatMap(sessions::find);

    if (credentials.isPresent()) {
      return withCredentials(
          exchange, credentials.get(), session, sessionId, fromCookie, stateChanging, false);
    }

    if (session.isPresent()) {
      SessionData existing = session.get();
      Caller caller;
      if (existing.user().equals(Caller.ANONYMOUS)) {
        caller = realm.anonymous();
      } else {
        Optional<Caller> found = realm.caller(existing.user());
        if (found.isEmpty()) {
          sessions.invalidate(existing.id());
          throw new CohortError(
              ErrorCode.UNAUTHENTICATED,
              "the session's user no longer exists or is disabled; log in again");
        }
        caller = found.get();
      }
      checkCsrf(exchange, existing, fromCookie, stateChanging);
      return new Authenticated(caller, session, sessionId, fromCookie);
    }
    return new Authenticated(realm.anonymous(), Optional.empty(), sessionId, fromCookie);
  }

  /** The session id a request carried, and whether it came from the cookie. */
  private record Requested(Optional<String> id, boolean fromCookie) {}

  /**
   * The session id {@code exchange} carries (the header wins over the cookie).
   *
   * @throws CohortError 403 for a cross-site request with credentials or the cookie
   */
  private static Requested requested(Exchange exchange, Optional<Credentials> credentials) {
    Optional<String> headerId = exchange.header(SESSION_HEADER).filter(s -> !s.isBlank());
    Optional<String> cookieId = exchange.cookie(SESSION_COOKIE).filter(s -> !s.isBlank());
    if (exchange.crossSite() && (credentials.isPresent() || cookieId.isPresent())) {
      throw new CohortError(
          ErrorCode.CROSS_SITE, "cross-site requests with credentials or cookies are refused");
    }
    return new Requested(headerId.or(() -> cookieId), headerId.isEmpty() && cookieId.isPresent());
  }

  /**
   * Who is calling, for a read-only endpoint: by credentials, else by session, else anonymous.
   * Unlike {@link #resolve}, it never starts, rotates or touches a session, so a client that
   * asks with its password alone does not leave a session behind each time.
   *
   * @throws CohortError 401 for wrong credentials, 403 for a cross-site request with them
   */
  public Caller identify(Exchange exchange) {
    Optional<Credentials> credentials = basic(exchange);
    Optional<String> sessionId = requested(exchange, credentials).id();
    if (credentials.isPresent()) {
      return realm
          .authenticate(credentials.get().user(), credentials.get().password())
          .orElseThrow(
              () -> new CohortError(ErrorCode.UNAUTHENTICATED, "the user name or password is wrong"));
    }
    return sessionId
        .flatMap(sessions::find)
        .flatMap(s -> realm.caller(s.user()))
        .orElse(realm.anonymous());
  }

  /**
   * An explicit login with {@code credentials} (from a login form or JSON body): always starts a
   * session with a new id.
   */
  public Authenticated login(Exchange exchange, Credentials credentials) {
    Optional<String> headerId = exchange.header(SESSION_HEADER).filter(s -> !s.isBlank());
    Optional<String> cookieId = exchange.cookie(SESSION_COOKIE).filter(s -> !s.isBlank());
    Optional<String> sessionId = headerId.or(() -> cookieId);
    if (exchange.crossSite()) {
      throw new CohortError(ErrorCode.CROSS_SITE, "cross-site login requests are refused");
    }
    return withCredentials(
        exchange,
        credentials,
        sessionId.flatMap(sessions::find),
        sessionId,
        headerId.isEmpty() && cookieId.isPresent(),
        false,
        true);
  }

  private Authenticated withCredentials(
      Exchange exchange,
      Credentials credentials,
      Optional<SessionData> session,
      Optional<String> sessionId,
      boolean fromCookie,
      boolean stateChanging,
      boolean alwaysNewSession) {
    Caller caller =
        realm
            .authenticate(credentials.user(), credentials.password())
            .orElseThrow(
                () -> new CohortError(ErrorCode.UNAUTHENTICATED, "the user name or password is wrong"));
    if (session.isPresent()) {
      SessionData existing = session.get();
      if (existing.user().equals(caller.user()) && !alwaysNewSession) {
        checkCsrf(exchange, existing, fromCookie, stateChanging);
        return new Authenticated(caller, session, sessionId, fromCookie);
      }
      return new Authenticated(
          caller, Optional.of(sessions.rotate(existing, caller.user())), sessionId, fromCookie);
    }
    return new Authenticated(caller, createIfPossible(caller.user()), sessionId, fromCookie);
  }

  private SessionData create(String user) {
    try {
      return sessions.create(user);
    } catch (SessionsFullException e) {
      throw new CohortError(ErrorCode.SESSIONS_FULL, e.getMessage());
    }
  }

  private Optional<SessionData> createIfPossible(String user) {
    try {
      return Optional.of(create(user));
    } catch (SessionsUnavailableException e) {
      // Stateless services keep working while sessions cannot be saved (minority side of a
      // split): the call runs without a session, and fails only if its service uses one.
      LOG.debug("no session for this call: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private static void checkCsrf(
      Exchange exchange, SessionData session, boolean fromCookie, boolean stateChanging) {
    if (!fromCookie || !stateChanging) {
      return;
    }
    byte[] expected = session.csrfToken().getBytes(StandardCharsets.US_ASCII);
    byte[] given =
        exchange.header(CSRF_HEADER).orElse("").getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new CohortError(
          ErrorCode.CSRF,
          "a request authenticated by the session cookie must send the session's CSRF token in"
              + " the "
              + CSRF_HEADER
              + " header (GET /session returns it)");
    }
  }

  /**
   * The credentials of an {@code Authorization: Basic} header, if the request has one.
   *
   * @throws CohortError 401 for another scheme or malformed credentials
   */
  public static Optional<Credentials> basic(Exchange exchange) {
    Optional<String> header = exchange.header("Authorization");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get();
    if (!value.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw new CohortError(
          ErrorCode.UNAUTHENTICATED, "only HTTP Basic authentication is supported");
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(value.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new CohortError(ErrorCode.UNAUTHENTICATED, "malformed Basic credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new CohortError(ErrorCode.UNAUTHENTICATED, "malformed Basic credentials");
    }
    return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
  }
}
