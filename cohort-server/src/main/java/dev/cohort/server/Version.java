package dev.cohort.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The Cohort version this node runs, from the build. */
public final class Version {

  private static final String VERSION = load();

  private Version() {}

  public static String current() {
    return VERSION;
  }

  private static String load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      return "unknown";
    }
    String v = p.getProperty("version", "unknown");
    return v.startsWith("${") ? "dev" : v;
  }
}
