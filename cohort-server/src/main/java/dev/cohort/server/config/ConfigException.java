package dev.cohort.server.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration has problems; every one of them is listed. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(
        problems.size()
            + " configuration problem(s):\n"
            + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
