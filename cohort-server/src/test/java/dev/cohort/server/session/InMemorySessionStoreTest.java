package dev.cohort.server.session;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest extends SessionStoreContract {

  @Override
  protected SessionStore newStore(int maxSessions) {
    return new InMemorySessionStore(maxSessions);
  }

  @Test
  void aMaximumBelowOneIsRefused() {
    assertThatThrownBy(() -> new InMemorySessionStore(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSessions");
  }
}
