package dev.cohort.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The wrk Lua script for a {@link Target}, rendered from the {@code load.lua} template. */
final class LoadScript {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z]+)}");
  private static final String LONG_BRACKET_END = "]==]";

  private LoadScript() {}

  /**
   * The script for {@code target}, all threads loading the port of wrk's URL.
   *
   * @throws IllegalArgumentException if a value cannot be embedded in a Lua long string
   */
  static String render(Target target) {
    return render(target, List.of());
  }

  /**
   * The script for {@code target}, wrk's threads loading {@code ports} of 127.0.0.1 in turn (none:
   * the port of wrk's URL).
   *
   * @throws IllegalArgumentException if a value cannot be embedded in a Lua long string
   */
  static String render(Target target, List<Integer> ports) {
    for (int port : ports) {
      if (port < 1 || port > 65_535) {
        throw new IllegalArgumentException("not a TCP port: " + port);
      }
    }
    Map<String, String> values =
        Map.of(
            "path", text(target.path()),
            "body", text(target.body()),
            "authorization", text(target.authorization().orElse("")),
            "expect", text(target.expect()),
            "sessions", Boolean.toString(target.sessions()),
            "callsPerSession", Integer.toString(target.callsPerSession()),
            "logOut", Boolean.toString(target.logOut()),
            "ports", ports.stream().map(String::valueOf).collect(Collectors.joining(", ")));
    Matcher m = PLACEHOLDER.matcher(template());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalStateException("load.lua uses an unknown placeholder " + m.group());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String text(String value) {
    if (value.contains(LONG_BRACKET_END) || value.contains("\n")) {
      throw new IllegalArgumentException(
          "cannot put " + value + " into the Lua script: no line breaks or '" + LONG_BRACKET_END
              + "' allowed");
    }
    return value;
  }

  private static String template() {
    try (InputStream in = LoadScript.class.getResourceAsStream("load.lua")) {
      if (in == null) {
        throw new IllegalStateException("load.lua is missing from the cohort-bench jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read load.lua from the cohort-bench jar", e);
    }
  }
}
