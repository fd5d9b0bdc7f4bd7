package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {

  @TempDir Path dir;
  final Cli cli = new Cli();

  private int run(String... args) {
    return cli.run(args);
  }


  @Test
  void validFileExitsZeroAndShowsWhatWasSetAndWhereFrom() throws IOException {
    Path file = Files.writeString(dir.resolve("cohort.yaml"), "http:\n  port: 6000\ndatabase:\n  password: s3cret\n");
    assertThat(run("check", "--config", file.toString(), "--admin-port", "6001")).isZero();
    assertThat(cli.out())
        .contains("Configuration is valid")
        .containsPattern("http\\.port\\s+6000\\s+\\[" + java.util.regex.Pattern.quote(file.toString()) + "]")
        .containsPattern("admin\\.port\\s+6001\\s+\\[--set admin.port]")
        .contains("database.password")
        .doesNotContain("s3cret");
  }

  @Test
  void everyProblemIsPrintedWithItsKeyAndExitIsTwo() throws IOException {
    Path file = Files.writeString(dir.resolve("cohort.yaml"), "http:\n  port: x\nsession:\n  timeout: soon\nadmn:\n  port: 1\n");
    assertThat(run("check", "--config", file.toString())).isEqualTo(2);
    assertThat(cli.err())
        .contains("3 problem(s)")
        .contains("http.port: 'x' is not a whole number")
        .contains("session.timeout: 'soon' is not a duration")
        .contains("admn.port: unknown key; did you mean admin.port?");
  }

  @Test
  void allShowsDefaultsToo() {
    assertThat(run("check", "--all")).isZero();
    assertThat(cli.out()).containsPattern("session\\.timeout\\s+60m\\s+\\[default]");
  }
}
