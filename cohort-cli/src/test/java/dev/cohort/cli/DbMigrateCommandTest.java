package dev.cohort.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.security.PasswordHasher;
import dev.cohort.server.security.SecurityStore;
import dev.cohort.server.security.User;
import dev.cohort.server.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbMigrateCommandTest {

  @TempDir Path dir;
  final Cli cli = new Cli();
  final PasswordHasher hasher = new PasswordHasher(8192, 1);

  private int run(String... args) {
    return cli.run(args);
  }


  @Test
  void copiesTheEmbeddedDatabaseIntoPostgresAndReportsCounts() throws IOException {
    Path data = dir.resolve("data");
    try (Database h2 = Database.open(new DatabaseConfig("", "cohort", Secret.NONE, 2), data)) {
      new SecurityStore(h2, hasher).createUser("alice", "pw", Set.of("Administrators"));
    }
    String url = TestPostgres.newDatabase();
    Path pw = Files.writeString(dir.resolve("pw"), "postgres");

    int code = run("db", "migrate", "--data-dir", data.toString(), "--to", url, "--to-user", "postgres", "--to-password-file", pw.toString());

    assertThat(code).as(cli.err()).isZero();
    assertThat(cli.out()).containsPattern("cohort_user\\s+1 row\\(s\\)").contains("Done:").doesNotContain("postgres@");
    try (Database pg = Database.open(new DatabaseConfig(url, "postgres", new Secret("postgres"), 2), dir)) {
      assertThat(new SecurityStore(pg, hasher).users()).extracting(User::name).containsExactly("alice");
    }
  }

  @Test
  void aWrongTargetIsAClearErrorAndNonZero() {
    int code = run("db", "migrate", "--data-dir", dir.resolve("data").toString(), "--to", "jdbc:mysql://x/y");
    assertThat(code).isEqualTo(1);
    assertThat(cli.err()).contains("the target database").contains("unsupported database URL");
  }
}
