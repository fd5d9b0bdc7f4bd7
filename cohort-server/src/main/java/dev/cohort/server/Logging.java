package dev.cohort.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.cohort.server.config.LoggingConfig;
import org.slf4j.LoggerFactory;

/**
 * Sets up the process's logging from {@link LoggingConfig}: one line per event on standard
 * output, as text with {@code node=} and {@code req=} fields or as JSON. Called once by the CLI;
 * tests keep their own logback-test.xml.
 */
public final class Logging {

  static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level node=%X{node:-NODE} req=%X{req:--} %logger{30} -"
          + " %msg%n";

  private Logging() {}

  public static void configure(LoggingConfig config, String nodeName) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    context.setName(nodeName);
    Encoder<ILoggingEvent> encoder;
    if (config.format() == LoggingConfig.Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(context);
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern(TEXT_PATTERN.replace("NODE", nodeName.replaceAll("[^A-Za-z0-9._-]", "_")));
      text.start();
      encoder = text;
    }
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.level().name()));
    root.addAppender(console);
    for (String noisy : new String[] {"org.eclipse.jetty", "com.zaxxer.hikari", "org.flywaydb"}) {
      context.getLogger(noisy).setLevel(Level.WARN);
    }
    // Flyway warns on every start that H2 2.4 is newer than it was verified with.
    context.getLogger("org.flywaydb.core.internal.database.base.Database").setLevel(Level.ERROR);
  }
}
