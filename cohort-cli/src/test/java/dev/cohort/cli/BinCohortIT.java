package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a user runs it: {@code bin/cohort start} in its own process,
 * the printed URL and password, the Samples services called over HTTP, then SIGTERM.
 */
class BinCohortIT {

  private static final Path REPO = repoRoot();
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void startServeTheSamplesAndStopOnSigterm() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                REPO.resolve("bin/cohort").toString(),
                "start",
                "--port", "0",
                "--admin-port", "0",
                "--data-dir", dir.resolve("data").toString(),
                "--set", "packages.dir=" + REPO.resolve("packages"),
                "--set", "node.name=it-node",
                "--set", "http.host=127.0.0.1")
            .directory(dir.toFile())
            .redirectErrorStream(true);
    pb.environment().remove("COHORT_ADMIN_PASSWORD");
    pb.environment().put("COHORT_NO_BUILD", "1");
    Process process = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> all = new CopyOnWriteArrayList<>();
    Thread reader =
        Thread.ofPlatform().daemon().start(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
              lines.add(line);
              all.add(line);
            }
          } catch (IOException e) {
            // process ended
          }
        });
    try {
      String password = null;
      int port = -1;
      Pattern running = Pattern.compile("is running: http://localhost:(\\d+)/");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (port < 0) {
        String line = lines.poll(1, TimeUnit.SECONDS);
        if (line == null && (!process.isAlive() || System.nanoTime() > deadline)) {
          reader.join(5_000);
          line = lines.poll();
        }
        if (line == null && process.isAlive() && System.nanoTime() < deadline) {
          continue;
        }
        assertThat(line).as("node did not report it was running; output so far:\n%s", String.join("\n", all)).isNotNull();
        if (password == null && line.contains("created user 'Administrator'")) {
          lines.poll(5, TimeUnit.SECONDS); // blank line
          password = lines.poll(5, TimeUnit.SECONDS).strip();
        }
        Matcher m = running.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertThat(password).as("first start prints the generated password").isNotBlank();
      // bin/java-options.sh: the heap on transparent huge pages wherever the kernel offers them.
      List<String> jvmArguments = List.of(process.toHandle().info().arguments().orElseThrow());
      if (kernelOffersTransparentHugePages()) {
        assertThat(jvmArguments).contains("-XX:+UseTransparentHugePages");
      } else {
        assertThat(jvmArguments).doesNotContain("-XX:+UseTransparentHugePages");
      }
      String base = "http://localhost:" + port;

      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("Cohort node").contains("it-node");

      String auth = "Basic " + Base64.getEncoder().encodeToString(("Administrator:" + password).getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> greet = post(base + "/invoke/samples.hello/greet", "{\"name\":\"Ada\"}", "Authorization", auth);
      assertThat(greet.statusCode()).as(greet.body()).isEqualTo(200);
      assertThat(JSON.readTree(greet.body()).path("greeting").asText()).isEqualTo("Hello, Ada!");
      assertThat(greet.headers().firstValue("X-Cohort-Node")).hasValue("it-node");
      String session = greet.headers().firstValue("X-Cohort-Session").orElseThrow();

      assertThat(json(post(base + "/invoke/samples.cart/addItem", "{\"item\":\"apple\"}", "X-Cohort-Session", session)).path("count").asInt()).isEqualTo(1);
      assertThat(json(post(base + "/invoke/samples.cart/addItem", "{\"item\":\"pear\"}", "X-Cohort-Session", session)).path("count").asInt()).isEqualTo(2);
      assertThat(json(post(base + "/invoke/samples.cart/listItems", "{}", "X-Cohort-Session", session)).path("items").toString())
          .isEqualTo("[\"apple\",\"pear\"]");
      JsonNode order = json(post(base + "/invoke/samples.cart/checkout", "{}", "X-Cohort-Session", session));
      assertThat(order.path("orderId").asText()).isNotBlank();
      assertThat(order.path("count").asInt()).isEqualTo(2);
      assertThat(json(post(base + "/invoke/samples.cart/listItems", "{}", "X-Cohort-Session", session)).path("items").size()).isZero();
      HttpResponse<String> empty = post(base + "/invoke/samples.cart/checkout", "{}", "X-Cohort-Session", session);
      assertThat(empty.statusCode()).isEqualTo(400);
      assertThat(empty.body()).contains("the cart is empty");

      process.toHandle().destroy(); // SIGTERM, keeping our end of its output open
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
      reader.join(10_000);
      assertThat(String.join("\n", all))
          .as("exit %d", process.exitValue()).contains("COH.0001.0002I node it-node draining").contains("COH.0001.0003I node it-node stopped");
      assertThat(String.join("\n", all)).as("the password is printed once, never logged").containsOnlyOnce(password);
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void checkReportsProblemsAndExitsTwo() throws Exception {
    Path bad = Files.writeString(dir.resolve("cohort.yaml"), "http:\n  port: nope\n");
    ProcessBuilder pb =
        new ProcessBuilder(REPO.resolve("bin/cohort").toString(), "check", "--config", bad.toString())
            .redirectErrorStream(true);
    pb.environment().put("COHORT_NO_BUILD", "1");
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("http.port: 'nope' is not a whole number");
  }

  private static boolean kernelOffersTransparentHugePages() throws IOException {
    Path enabled = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    return Files.isReadable(enabled)
        && Pattern.compile("\\[(madvise|always)]").matcher(Files.readString(enabled)).find();
  }

  private HttpResponse<String> post(String url, String body, String header, String value) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header(header, value)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) {
      p = p.getParent();
    }
    return p;
  }
}
