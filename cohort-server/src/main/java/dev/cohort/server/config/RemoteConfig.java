package dev.cohort.server.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Remote server aliases ({@code remote.aliases.<name>.*}): other Cohort servers or clusters that
 * services on this node call through {@code pub.remote:invoke}, by alias rather than by address
 * and password.
 *
 * @param aliases by name
 */
public record RemoteConfig(Map<String, Alias> aliases) {

  public static final String PREFIX = "remote.aliases.";

  /** The fields an alias has. */
  static final Set<String> FIELDS =
      Set.of("url", "user", "password", "retry-server", "timeout", "failover-timeout");

  private static final Pattern KEY = Pattern.compile("remote\\.aliases\\.([A-Za-z0-9_-]+)\\.([a-z-]+)");

  public RemoteConfig {
    aliases = Map.copyOf(aliases);
  }

  /**
   * One remote server alias.
   *
   * @param name what services call it by
   * @param url a server of the remote cluster (the client learns the other members from it)
   * @param user the user the calls run as there
   * @param password that user's password, read from the reference the config gives
   * @param retryServer a server to try when the remote cluster cannot take a call
   * @param timeout how long one call may take on one server
   * @param failoverTimeout how long a call keeps going round the servers while none can take it
   */
  public record Alias(
      String name,
      URI url,
      String user,
      Secret password,
      Optional<URI> retryServer,
      Duration timeout,
      Duration failoverTimeout) {

    @Override
    public String toString() {
      return "Alias[" + name + " " + user + "@" + url + retryServer.map(r -> ", retry " + r).orElse("") + "]";
    }
  }

  /** Whether {@code key} names a field of an alias (possibly a misspelled one). */
  static boolean isAliasKey(String key) {
    return key.startsWith(PREFIX);
  }

  /**
   * The aliases from the {@code remote.aliases.*} values set.
   *
   * @param raw the values, by key (only alias keys are read)
   * @param origins where each was set
   * @param env the environment, for {@code env:NAME} password references
   * @param problems where every wrong value goes, with the key and what to write instead
   */
  static RemoteConfig from(
      Map<String, String> raw,
      Map<String, String> origins,
      Map<String, String> env,
      List<Problem> problems) {
    Map<String, Map<String, String>> fields = new TreeMap<>();
    raw.forEach(
        (key, value) -> {
          if (!isAliasKey(key)) {
            return;
          }
          Matcher m = KEY.matcher(key);
          if (!m.matches() || !FIELDS.contains(m.group(2))) {
            problems.add(
                new Problem(
                    key,
                    origins.get(key),
                    "unknown key; an alias is remote.aliases.<name>.<field> with <name> of letters,"
                        + " digits, '-' or '_' and <field> one of " + new java.util.TreeSet<>(FIELDS)));
            return;
          }
          fields.computeIfAbsent(m.group(1), n -> new LinkedHashMap<>()).put(m.group(2), value);
        });
    Map<String, Alias> aliases = new LinkedHashMap<>();
    fields.forEach(
        (name, f) -> {
          String at = PREFIX + name + ".";
          int before = problems.size();
          URI url = url(at + "url", f.get("url"), true, origins, problems);
          String user = f.getOrDefault("user", "");
          if (user.isBlank()) {
            problems.add(new Problem(at + "user", origins.getOrDefault(at + "url", "default"), "every alias needs the user its calls run as"));
          }
          Secret password = password(at + "password", f.get("password"), origins, env, problems);
          URI retry = url(at + "retry-server", f.get("retry-server"), false, origins, problems);
          Duration timeout =
              duration(at + "timeout", f.get("timeout"), Duration.ofSeconds(30), Duration.ofMillis(1), origins, problems);
          Duration failover =
              duration(
                  at + "failover-timeout", f.get("failover-timeout"), Duration.ofSeconds(5), Duration.ZERO,
                  origins, problems);
          if (problems.size() == before) {
            aliases.put(
                name, new Alias(name, url, user, password, Optional.ofNullable(retry), timeout, failover));
          }
        });
    return new RemoteConfig(aliases);
  }

  private static Duration duration(
      String key, String value, Duration def, Duration min, Map<String, String> origins, List<Problem> problems) {
    if (value == null) {
      return def;
    }
    try {
      return Setting.duration(key, def.toMillis() + "ms", "s", min, Setting.Tier.RARE, "")
          .parse(value);
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(key, origins.get(key), e.getMessage()));
      return def;
    }
  }

  private static URI url(
      String key, String value, boolean required, Map<String, String> origins, List<Problem> problems) {
    if (value == null || value.isBlank()) {
      if (required) {
        problems.add(new Problem(key, "default", "every alias needs the URL of a remote server, e.g. http://host:5555"));
      }
      return null;
    }
    try {
      URI uri = new URI(value.strip());
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      problems.add(new Problem(key, origins.get(key), "'" + value + "' is not an http:// or https:// URL with a host"));
      return null;
    }
  }

  /**
   * Reads a password reference: {@code env:NAME} (an environment variable) or {@code file:PATH}
   * (a file's content, trailing newline dropped). The password itself is refused, so it never
   * sits in the config file or in {@code cohort check}'s output.
   */
  private static Secret password(
      String key, String reference, Map<String, String> origins, Map<String, String> env, List<Problem> problems) {
    String origin = origins.getOrDefault(key, "default");
    if (reference == null || reference.isBlank()) {
      problems.add(new Problem(key, origin, "every alias needs a password reference: env:NAME or file:PATH"));
      return Secret.NONE;
    }
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      String value = env.get(name);
      if (value == null || value.isEmpty()) {
        problems.add(new Problem(key, origin, "environment variable " + name + " is not set or empty"));
        return Secret.NONE;
      }
      return new Secret(value);
    }
    if (reference.startsWith("file:")) {
      String file = reference.substring(5);
      try {
        String value = Files.readString(Path.of(file)).stripTrailing();
        if (value.isEmpty()) {
          problems.add(new Problem(key, origin, "password file " + file + " is empty"));
          return Secret.NONE;
        }
        return new Secret(value);
      } catch (IOException | InvalidPathException e) {
        problems.add(new Problem(key, origin, "cannot read password file " + file + ": " + e.getClass().getSimpleName()));
        return Secret.NONE;
      }
    }
    problems.add(
        new Problem(
            key,
            origin,
            "must be a reference to the password, env:NAME or file:PATH, never the password itself"
                + " (it would sit in the config and show in its checks)"));
    return Secret.NONE;
  }

  /** No aliases. */
  public static RemoteConfig none() {
    return new RemoteConfig(Map.of());
  }

  /** The alias names, sorted, for messages. */
  public List<String> names() {
    List<String> names = new ArrayList<>(aliases.keySet());
    names.sort(null);
    return names;
  }
}
