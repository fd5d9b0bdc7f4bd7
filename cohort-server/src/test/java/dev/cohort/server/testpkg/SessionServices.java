package dev.cohort.server.testpkg;

import dev.cohort.api.CohortService;
import dev.cohort.api.Document;
import dev.cohort.api.ServiceContext;
import dev.cohort.api.Session;
import java.util.ArrayList;

/** Services that exercise the session. */
public final class SessionServices {

  /** Appends {@code item} to the list in attribute "log", mutating it in place after the first call. */
  @CohortService("test.session:append")
  @SuppressWarnings("unchecked")
  public Document append(Document input, ServiceContext context) {
    Session session = context.session();
    ArrayList<String> log = session.get("log", ArrayList.class).orElse(null);
    if (log == null) {
      log = new ArrayList<>();
      session.put("log", log);
    }
    log.add(input.requireString("item"));
    return Document.of("size", log.size());
  }

  /** Puts the string {@code value} under attribute {@code name}. */
  @CohortService("test.session:put")
  public Document put(Document input, ServiceContext context) {
    context.session().put(input.requireString("name"), input.requireString("value"));
    return Document.of("stored", true);
  }

  @CohortService("test.session:get")
  public Document get(Document input, ServiceContext context) {
    String name = input.requireString("name");
    Object value = context.session().get(name).orElse(null);
    return Document.of("value", value == null ? null : value.toString(), "type", value == null ? null : value.getClass().getName());
  }

  @CohortService("test.session:putUnserializable")
  public Document putUnserializable(Document input, ServiceContext context) {
    context.session().put("thing", new NotSerializable());
    return Document.of("stored", true);
  }

  @CohortService("test.session:invalidate")
  public Document invalidate(Document input, ServiceContext context) {
    context.session().invalidate();
    return Document.of("invalidated", true);
  }

  @CohortService("test.session:whoami")
  public Document whoami(Document input, ServiceContext context) {
    return Document.of("user", context.caller().user(), "session", context.session().id());
  }

  /** Not serializable on purpose. */
  public static final class NotSerializable {
    @Override
    public String toString() {
      return "NotSerializable instance";
    }
  }
}
