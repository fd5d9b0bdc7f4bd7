package dev.cohort.server.http;

import dev.cohort.api.Document;
import dev.cohort.server.invoke.CohortError;
import dev.cohort.server.invoke.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its response, with the small vocabulary the handlers need: headers,
 * cookies, a size-limited body, JSON replies and JSON errors. Runs on a virtual thread, so
 * blocking reads and writes are fine.
 */
public final class Exchange {

  public static final String NODE_HEADER = "X-Cohort-Node";
  public static final String REQUEST_ID_HEADER = "X-Request-Id";

  private static final Pattern JSON_SUBTYPE = Pattern.compile("application/[a-z0-9.+-]+\\+json");
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final char[] ID_CHARS = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

  private final Request request;
  private final Response response;
  private final Callback callback;
  private final String requestId;
  private boolean responded;
  private boolean bodyConsumed;

  /** Most of an unread body drained before an error reply so the connection can be reused. */
  private static final int DRAIN_LIMIT = 64 * 1024;

  Exchange(Request request, Response response, Callback callback, String nodeName) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.requestId =
        Optional.ofNullable(request.getHeaders().get(REQUEST_ID_HEADER))
            .filter(id -> SAFE_REQUEST_ID.matcher(id).matches())
            .orElseGet(Exchange::newRequestId);
    response.getHeaders().put(NODE_HEADER, nodeName);
    response.getHeaders().put(REQUEST_ID_HEADER, requestId);
  }

  private static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] id = new char[16];
    for (int i = 0; i < id.length; i++) {
      id[i] = ID_CHARS[random.nextInt(ID_CHARS.length)];
    }
    return new String(id);
  }

  public String requestId() {
    return requestId;
  }

  public String method() {
    return request.getMethod();
  }

  /** The decoded path, e.g. {@code /invoke/samples.hello/greet}. */
  public String path() {
    String path = request.getHttpURI().getDecodedPath();
    return path == null ? "/" : path;
  }

  /** Scheme, host and port as the client addressed this node, e.g. {@code http://localhost:5555}. */
  public String baseUrl() {
    var uri = request.getHttpURI();
    String host = header("Host").orElse(uri.getHost() + ":" + uri.getPort());
    return (secure() ? "https" : "http") + "://" + host;
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(request.getHeaders().get(name));
  }

  /** A query parameter's (first) value. */
  public Optional<String> query(String name) {
    String query = request.getHttpURI().getQuery();
    if (query == null || query.isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(Request.extractQueryParameters(request).getValue(name));
  }

  /** The query parameters (first value of each). */
  public java.util.Map<String, String> queryParameters() {
    java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
    String query = request.getHttpURI().getQuery();
    if (query != null && !query.isEmpty()) {
      Request.extractQueryParameters(request).forEach(f -> params.put(f.getName(), f.getValue()));
    }
    return params;
  }

  public Optional<String> cookie(String name) {
    for (HttpCookie cookie : Request.getCookies(request)) {
      if (cookie.getName().equals(name)) {
        return Optional.of(cookie.getValue());
      }
    }
    return Optional.empty();
  }

  /** Whether a browser marked the request as coming from another site (Fetch Metadata). */
  public boolean crossSite() {
    return header("Sec-Fetch-Site").map("cross-site"::equalsIgnoreCase).orElse(false);
  }

  /** Whether the request is over TLS (directly, or as a proxy says with X-Forwarded-Proto). */
  public boolean secure() {
    return request.isSecure()
        || header("X-Forwarded-Proto").map("https"::equalsIgnoreCase).orElse(false);
  }

  /**
   * The request body, refusing more than {@code limit} bytes: first by the declared length,
   * then while reading (chunked bodies).
   *
   * @throws CohortError {@code COH-TOO-LARGE}
   */
  public byte[] body(long limit) {
    bodyConsumed = true;
    long declared = request.getLength();
    if (declared > limit) {
      closeAfterResponse();
      throw tooLarge(limit);
    }
    try (InputStream in = Request.asInputStream(request)) {
      if (declared >= 0 && declared < Integer.MAX_VALUE) {
        // Jetty ends the stream at the declared length: one array of that size, no copy buffer
        // (an 8 KB buffer per call was an eighth of what a node allocated under load).
        return in.readNBytes((int) declared);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      byte[] buffer = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        total += n;
        if (total > limit) {
          closeAfterResponse();
          throw tooLarge(limit);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new CohortError(ErrorCode.BAD_JSON, "the request body could not be read: " + e.getMessage());
    }
  }

  /**
   * The request body as a JSON object, at most {@code limit} bytes; an empty body is an empty
   * document. A non-empty body must be sent as {@code application/json} (or {@code
   * application/*+json}): a cross-site HTML form cannot send that.
   *
   * @throws CohortError 413, 415, or 400 for bad JSON or a non-object
   */
  public Document jsonBody(long limit) {
    byte[] body = body(limit);
    if (body.length > 0) {
      String type = header("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
      if (!(type.startsWith("application/json") || JSON_SUBTYPE.matcher(type).lookingAt())) {
        throw new CohortError(
            ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "send the body as Content-Type: application/json (curl: --json '{...}' or -H"
                + " 'Content-Type: application/json')");
      }
    }
    return Json.readDocument(body);
  }

  private static CohortError tooLarge(long limit) {
    return new CohortError(
        ErrorCode.TOO_LARGE,
        "the request body is larger than the limit of " + limit + " bytes (http.max-body-size)");
  }

  public void setHeader(String name, String value) {
    response.getHeaders().put(name, value);
  }

  public void addCookie(HttpCookie cookie) {
    Response.addCookie(response, cookie);
  }

  /** Sends {@code body} as JSON with {@code status}. */
  public void json(int status, Object body) {
    send(status, "application/json", Json.write(body));
  }

  /** Sends the error as {@code {"error":{"code","message","requestId"}}}. */
  public void error(CohortError error) {
    error(error.code(), error.getMessage());
  }

  public void error(ErrorCode code, String message) {
    drainUnreadBody();
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("code", code.code());
    inner.put("message", message);
    inner.put("requestId", requestId);
    if (code == ErrorCode.UNAUTHENTICATED) {
      setHeader(HttpHeader.WWW_AUTHENTICATE.asString(), "Basic realm=\"Cohort\", charset=\"UTF-8\"");
    }
    json(code.status(), Map.of("error", inner));
  }

  public void send(int status, String contentType, byte[] body) {
    if (responded) {
      throw new IllegalStateException("response already sent");
    }
    responded = true;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /**
   * An error can be answered before the request body was read (401, 403, 404...). A client that
   * reuses the connection would then race the server closing it; so a small unread body is read
   * and dropped, and for a larger one the reply says {@code Connection: close}.
   */
  private void drainUnreadBody() {
    if (bodyConsumed) {
      return;
    }
    bodyConsumed = true;
    long declared = request.getLength();
    if (declared == 0) {
      return;
    }
    if (declared > DRAIN_LIMIT) {
      closeAfterResponse();
      return;
    }
    try (InputStream in = Request.asInputStream(request)) {
      byte[] buffer = new byte[8192];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        total += n;
        if (total > DRAIN_LIMIT) {
          closeAfterResponse();
          return;
        }
      }
    } catch (IOException e) {
      closeAfterResponse();
    }
  }

  private void closeAfterResponse() {
    response.getHeaders().put(HttpHeader.CONNECTION, "close");
  }

  public void text(int status, String contentType, String body) {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public boolean responded() {
    return responded;
  }

  /** The HTTP status sent, or 0 before a response. */
  public int status() {
    return responded ? response.getStatus() : 0;
  }

  /** Fails the exchange when nothing could be sent (the connection is then closed). */
  void fail(Throwable t) {
    if (!responded) {
      responded = true;
      callback.failed(t);
    }
  }
}
