package dev.cohort.bench;

import java.util.Optional;

/**
 * One thing the benchmark loads: every request is a {@code POST} of {@code body} to {@code path}.
 *
 * @param name a short name, also used for file names ({@code greet})
 * @param label what the table shows ({@code samples.hello:greet (HTTP Basic)})
 * @param path the request path
 * @param body the JSON request body
 * @param authorization the {@code Authorization} header sent on every request, if any
 * @param sessions whether each connection keeps the session the server hands out ({@code
 *     X-Cohort-Session}) and sends it back
 * @param callsPerSession after this many calls a session is dropped and the next call starts a
 *     fresh one (0 = never); bounds what a session accumulates
 * @param expect text every 200 response body must contain
 * @param logOut whether a dropped session is ended with {@code POST /logout} (by the next request
 *     of the connection that picks it up) rather than left to expire
 */
record Target(
    String name,
    String label,
    String path,
    String body,
    Optional<String> authorization,
    boolean sessions,
    int callsPerSession,
    String expect,
    boolean logOut) {

  /** A target whose dropped sessions are left to expire. */
  Target(
      String name,
      String label,
      String path,
      String body,
      Optional<String> authorization,
      boolean sessions,
      int callsPerSession,
      String expect) {
    this(name, label, path, body, authorization, sessions, callsPerSession, expect, false);
  }

  Target {
    if (!name.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException("name must be letters, digits and '-': " + name);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/': " + path);
    }
    if (callsPerSession < 0) {
      throw new IllegalArgumentException("callsPerSession must be >= 0, not " + callsPerSession);
    }
    if (expect.isEmpty()) {
      throw new IllegalArgumentException("expect must not be empty: a check that accepts every"
          + " body checks nothing");
    }
    if (logOut && (!sessions || callsPerSession == 0)) {
      throw new IllegalArgumentException("logOut needs sessions that are dropped (callsPerSession > 0)");
    }
  }
}
