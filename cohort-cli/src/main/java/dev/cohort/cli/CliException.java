package dev.cohort.cli;

/** A management command failed; the message says why and what to do. */
final class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }
}
