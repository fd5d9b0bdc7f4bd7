package dev.cohort.server.invoke;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link System.Logger} a service gets: it writes through SLF4J under {@code
 * service.<folder>:<name>}, so its lines carry the node and request id like the node's own.
 */
final class ServiceLogger implements System.Logger {

  private final Logger delegate;

  ServiceLogger(String serviceName) {
    this.delegate = LoggerFactory.getLogger("service." + serviceName);
  }

  @Override
  public String getName() {
    return delegate.getName();
  }

  @Override
  public boolean isLoggable(Level level) {
    return switch (level) {
      case ALL, TRACE -> delegate.isTraceEnabled();
      case DEBUG -> delegate.isDebugEnabled();
      case INFO -> delegate.isInfoEnabled();
      case WARNING -> delegate.isWarnEnabled();
      case ERROR -> delegate.isErrorEnabled();
      case OFF -> false;
    };
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    if (isLoggable(level)) {
      write(level, msg, thrown);
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (isLoggable(level)) {
      String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
      write(level, msg, null);
    }
  }

  @Override
  public void log(Level level, Supplier<String> msgSupplier) {
    if (isLoggable(level)) {
      write(level, msgSupplier.get(), null);
    }
  }

  private void write(Level level, String msg, Throwable thrown) {
    switch (level) {
      case ALL, TRACE -> delegate.trace(msg, thrown);
      case DEBUG -> delegate.debug(msg, thrown);
      case INFO -> delegate.info(msg, thrown);
      case WARNING -> delegate.warn(msg, thrown);
      case ERROR -> delegate.error(msg, thrown);
      case OFF -> {}
    }
  }
}
