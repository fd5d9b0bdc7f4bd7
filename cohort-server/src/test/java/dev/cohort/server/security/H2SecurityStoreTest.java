package dev.cohort.server.security;

import dev.cohort.server.db.Database;
import java.nio.file.Path;

class H2SecurityStoreTest extends SecurityStoreContract {

  @Override
  Database openDatabase(Path dir) {
    return TestDatabases.open(dir);
  }
}
