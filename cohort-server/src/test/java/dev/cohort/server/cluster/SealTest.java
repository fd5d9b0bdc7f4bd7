package dev.cohort.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.util.ByteArray;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Test;

/** What {@link Seal} puts on the wire: opens only with the secret, and never repeats a nonce. */
class SealTest {

  private static final String SECRET = "seal-test-secret-0123456789";
  private static final int NONCE = 12;

  private static byte[] seal(Seal seal, String text) throws Exception {
    ByteArray plain = Util.messageToBuffer(new BytesMessage(null, text.getBytes(StandardCharsets.UTF_8)));
    return seal.seal(plain.getArray(), plain.getOffset(), plain.getLength());
  }

  private static ByteBuffer nonce(byte[] sealed) {
    return ByteBuffer.wrap(sealed, 1, NONCE).slice();
  }

  @Test
  void whatOneNodeSealsAnotherWithTheSecretOpensAndOneWithAnotherSecretDoesNot() throws Exception {
    byte[] sealed = seal(new Seal(SECRET, "c"), "cart line 1");

    Message opened = new Seal(SECRET, "c").open(new BytesMessage(null, sealed));
    assertThat(new String(opened.getArray(), opened.getOffset(), opened.getLength(), StandardCharsets.UTF_8))
        .isEqualTo("cart line 1");
    assertThat(new Seal(SECRET + "x", "c").open(new BytesMessage(null, sealed))).isNull();
    assertThat(new Seal(SECRET, "other-cluster").open(new BytesMessage(null, sealed))).isNull();
    sealed[sealed.length - 1] ^= 1;
    assertThat(new Seal(SECRET, "c").open(new BytesMessage(null, sealed))).isNull();
  }

  @Test
  void noNonceRepeatsWithinANodeOrBetweenTwoStartsOfIt() throws Exception {
    Seal first = new Seal(SECRET, "c");
    Seal restarted = new Seal(SECRET, "c");
    Set<ByteBuffer> nonces = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      assertThat(nonces.add(nonce(seal(first, "m")))).isTrue();
    }
    for (int i = 0; i < 20_000; i++) {
      assertThat(nonces.add(nonce(seal(restarted, "m")))).isTrue();
    }
  }
}
