package dev.cohort.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {

  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");

  /** From the Argon2 reference implementation's tests (phc-winner-argon2, src/test.c). */
  private static final String REFERENCE_M256 =
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

  private static final String REFERENCE_M65536 =
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

  private final PasswordHasher hasher = TestDatabases.cheapHasher();

  @Test
  void aHashVerifiesItsPasswordAndNoOther() {
    String hash = hasher.hash("correct horse");

    assertThat(hasher.verify("correct horse", hash)).isTrue();
    assertThat(hasher.verify("correct horsE", hash)).isFalse();
    assertThat(hasher.verify("", hash)).isFalse();
  }

  @Test
  void hashesAreSaltedSoEqualPasswordsHashDifferently() {
    assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
  }

  @Test
  void nonAsciiPasswordsRoundTrip() {
    String hash = hasher.hash("pässwörd-密码-🔑");

    assertThat(hasher.verify("pässwörd-密码-🔑", hash)).isTrue();
    assertThat(hasher.verify("passwörd-密码-🔑", hash)).isFalse();
  }

  @Test
  void theDefaultCostIsWrittenInPhcFormat() {
    PasswordHasher defaults = new PasswordHasher(19_456, 2);

    String hash = defaults.hash("secret");

    assertThat(hash).matches(PHC).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(defaults.verify("secret", hash)).isTrue();
  }

  @Test
  void verifiesTheReferenceImplementationsHashesUsingTheirOwnCost() {
    assertThat(hasher.verify("password", REFERENCE_M256)).isTrue();
    assertThat(hasher.verify("passwore", REFERENCE_M256)).isFalse();
    assertThat(hasher.verify("password", REFERENCE_M65536)).isTrue();
  }

  @Test
  void verificationUsesTheCostInTheStoredStringNotTheCurrentOne() {
    String oldHash = new PasswordHasher(8, 3).hash("secret");
    PasswordHasher raised = new PasswordHasher(16_384, 2);

    assertThat(oldHash).startsWith("$argon2id$v=19$m=8,t=3,p=1$");
    assertThat(raised.verify("secret", oldHash)).isTrue();
    assertThat(raised.verify("secret", oldHash.replace("t=3", "t=2"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "secret",
        "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4=",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR-uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/",
        "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=4194305,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=9999999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=1001,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=17$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c2FsdA$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$bmY2NQ",
        " $argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      })
  void malformedOrAbsurdStoredHashesAreNoMatchAndNeverThrow(String stored) {
    assertThat(hasher.verify("password", stored)).isFalse();
  }

  @Test
  void nullsAreNoMatch() {
    assertThat(hasher.verify(null, REFERENCE_M256)).isFalse();
    assertThat(hasher.verify("password", null)).isFalse();
  }

  @Test
  void refusesCostsOutsideTheSupportedRange() {
    assertThatThrownBy(() -> new PasswordHasher(4, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memory cost");
    assertThatThrownBy(() -> new PasswordHasher(8192, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("iterations");
  }
}
