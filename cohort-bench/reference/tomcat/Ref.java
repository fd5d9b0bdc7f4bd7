package ref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/** Tomcat reference for cohort-bench stateful-throughput: same requests, same answers. */
public final class Ref {
  // Jackson must not close the response stream: that would send the response before the
  // replication valve has replicated (and, synchronously, had acknowledged) the session change.
  static final ObjectMapper JSON =
      new ObjectMapper().disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
  // The Authorization header every request must carry: the run script passes what its wrk load sends.
  static final String AUTH = System.getProperty("ref.authorization", "");

  /**
   * Whether the request carries the benchmark's credentials. Cohort checks HTTP Basic on every
   * call (against a cache of verified credentials), so the reference checks on every call too,
   * with a plain comparison (cheaper than Cohort's check).
   */
  static boolean authorized(HttpServletRequest req) {
    return !AUTH.isEmpty() && AUTH.equals(req.getHeader("Authorization"));
  }

  /** Takes the session id from X-Cohort-Session, as cohort-bench's wrk script sends it. */
  public static final class HeaderSessionValve extends ValveBase {
    public HeaderSessionValve() {
      super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      String id = request.getHeader("X-Cohort-Session");
      if (id != null) {
        request.setRequestedSessionId(id);
        request.setRequestedSessionCookie(true);
        request.setRequestedSessionURL(false);
      }
      getNext().invoke(request, response);
    }
  }

  /** samples.hello:greet: {"name":"Ada"} -> {"greeting":"Hello, Ada!"}. */
  public static final class Greet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (!authorized(req)) {
        resp.sendError(401);
        return;
      }
      JsonNode in = JSON.readTree(req.getInputStream());
      resp.setContentType("application/json");
      String name = in.path("name").asText();
      JSON.writeValue(resp.getOutputStream(), Map.of("greeting", "Hello, " + name + "!"));
    }
  }

  /**
   * The same object as Cohort's sample cart ({@code dev.cohort.samples.CartItems}): the items and
   * the set of cart lines its putItem adds, empty here. So each write serializes (and the backup
   * deserializes) the same object graph as Cohort's.
   */
  public static final class CartItems implements Serializable {
    private static final long serialVersionUID = 1L;
    final ArrayList<String> items = new ArrayList<>();
    HashSet<String> lines = new HashSet<>();
  }

  /** samples.cart:addItem: {"item":"apple"} -> {"count":N}; a new session if the request names none. */
  public static final class AddItem extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (!authorized(req)) {
        resp.sendError(401);
        return;
      }
      HttpSession session = req.getSession(true);
      JsonNode in = JSON.readTree(req.getInputStream());
      String item = in.path("item").asText().strip();
      CartItems cart = (CartItems) session.getAttribute("cart");
      if (cart == null) {
        cart = new CartItems();
      }
      cart.items.add(item);
      session.setAttribute("cart", cart);
      resp.setHeader("X-Cohort-Session", session.getId());
      resp.setContentType("application/json");
      JSON.writeValue(resp.getOutputStream(), Map.of("count", cart.items.size()));
    }
  }

  /** POST /logout: {"loggedOut":true}. */
  public static final class Logout extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      HttpSession session = req.getSession(false);
      if (session != null) {
        session.invalidate();
      }
      resp.setContentType("application/json");
      resp.getOutputStream().write("{\"loggedOut\":true}".getBytes());
    }
  }
}
