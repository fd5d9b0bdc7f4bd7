package dev.cohort.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects what is logged anywhere while it is open. Tests run with the root at WARN; {@link
 * #atInfo()} lowers it to INFO for the capture's lifetime.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous = root.getLevel();

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** Also captures INFO events until closed. */
  public LogCapture atInfo() {
    root.setLevel(Level.INFO);
    return this;
  }

  /** The formatted messages so far, with the message and stack frames of any exception. */
  public List<String> messages() {
    return events().stream()
        .map(
            e ->
                e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : " " + e.getThrowableProxy().getClassName() + ": "
                            + e.getThrowableProxy().getMessage() + " "
                            + java.util.Arrays.toString(e.getThrowableProxy().getStackTraceElementProxyArray())))
        .toList();
  }

  /** The formatted messages logged at WARN so far. */
  public List<String> warnings() {
    return events().stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** The events so far (with their MDC). */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    root.setLevel(previous);
  }
}
