package dev.cohort.server.security;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import java.nio.file.Path;

/** The embedded H2 database the node uses in standalone mode, in a test's directory. */
final class TestDatabases {

  /** A cheap Argon2id cost, so that tests hash in milliseconds. */
  static PasswordHasher cheapHasher() {
    return new PasswordHasher(8192, 1);
  }

  static Database open(Path dir) {
    return Database.open(new DatabaseConfig("", "cohort", Secret.NONE, 4), dir);
  }

  private TestDatabases() {}
}
