package dev.cohort.server.security;

import dev.cohort.server.config.DatabaseConfig;
import dev.cohort.server.config.Secret;
import dev.cohort.server.db.Database;
import dev.cohort.server.testing.TestPostgres;
import java.nio.file.Path;

class PostgresSecurityStoreTest extends SecurityStoreContract {

  @Override
  Database openDatabase(Path dir) {
    return Database.open(
        new DatabaseConfig(TestPostgres.newDatabase(), "postgres", new Secret("postgres"), 4), dir);
  }
}
