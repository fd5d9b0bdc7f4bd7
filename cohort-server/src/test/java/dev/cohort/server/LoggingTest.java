package dev.cohort.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cohort.server.config.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The two log formats carry the node name and the request id on every line. */
class LoggingTest {

  private final PrintStream original = System.out;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @AfterEach
  void restore() throws Exception {
    System.setOut(original);
    MDC.clear();
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  @Test
  void textLinesHaveNodeAndRequestFields() {
    String line = logOneLine(LoggingConfig.Format.TEXT);
    assertThat(line).contains("INFO ").contains("node=node-a").contains("req=r-123").contains("COH.9999.0001I hello");
  }

  @Test
  void textLinesOutsideARequestStillNameTheNode() {
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Logging.configure(new LoggingConfig(LoggingConfig.Level.INFO, LoggingConfig.Format.TEXT), "node-a");
    LoggerFactory.getLogger("test").info("background work");
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("node=node-a req=- ").contains("background work");
  }

  @Test
  void jsonLinesAreJsonObjectsWithTheSameFields() throws Exception {
    JsonNode json = new ObjectMapper().readTree(logOneLine(LoggingConfig.Format.JSON));
    assertThat(json.path("level").asText()).isEqualTo("INFO");
    assertThat(json.path("message").asText()).isEqualTo("COH.9999.0001I hello");
    assertThat(json.path("mdc").path("node").asText()).isEqualTo("node-a");
    assertThat(json.path("mdc").path("req").asText()).isEqualTo("r-123");
  }

  @Test
  void levelIsApplied() {
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Logging.configure(new LoggingConfig(LoggingConfig.Level.WARN, LoggingConfig.Format.TEXT), "node-a");
    LoggerFactory.getLogger("test").info("quiet");
    LoggerFactory.getLogger("test").warn("loud");
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("quiet").contains("loud");
  }

  private String logOneLine(LoggingConfig.Format format) {
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Logging.configure(new LoggingConfig(LoggingConfig.Level.INFO, format), "node-a");
    MDC.put("node", "node-a");
    MDC.put("req", "r-123");
    LoggerFactory.getLogger("test").info("COH.9999.0001I hello");
    String out = captured.toString(StandardCharsets.UTF_8).strip();
    assertThat(out.lines()).hasSize(1);
    return out;
  }
}
