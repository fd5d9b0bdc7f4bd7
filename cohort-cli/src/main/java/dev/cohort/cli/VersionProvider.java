package dev.cohort.cli;

import dev.cohort.server.Version;
import picocli.CommandLine.IVersionProvider;

/** {@code cohort --version}. */
public final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {"Cohort " + Version.current() + " on Java " + Runtime.version()};
  }
}
