package dev.cohort.server.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArray;
import org.jgroups.util.FastArray;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated encryption of all cluster traffic, directly above the transport: every message
 * (payload, headers, flags, addresses) is serialized whole and sealed with AES-256-GCM under a key
 * derived from {@code cluster.secret} and the cluster name. A message that does not open (another
 * secret, another cluster, tampered, or not from a Cohort node) is dropped before any protocol
 * sees it, so a node without the secret can neither join nor read anything — unlike JGroups'
 * SYM_ENCRYPT, which passes payload-less messages (such as join requests) in clear and uses no
 * integrity check.
 *
 * <p>Nonces follow TLS 1.3's construction: each instance (each start of the transport) draws a
 * random 96-bit value once, and a message's nonce is that value with its low 64 bits XORed with the
 * instance's message counter. So nonces never repeat within an instance, and two instances repeat
 * one only if their random values agree in the top 32 bits and nearly agree in the rest: after 2^40
 * messages each, a chance of about 2^-56 per pair of instances. (Random nonces per message, used
 * before, allowed about 2^32 messages per secret; they also took a {@link SecureRandom} call per
 * message.) The cluster name is the additional authenticated data.
 */
public final class Seal extends Protocol {

  private static final Logger LOG = LoggerFactory.getLogger(Seal.class);
  private static final byte FORMAT = 1;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_ITERATIONS = 210_000;
  private static final long WARN_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

  private final SecretKey key;
  private final byte[] aad;
  private final byte[] start = new byte[NONCE];
  private final AtomicLong sent = new AtomicLong();
  private final ConcurrentLinkedQueue<Cipher> ciphers = new ConcurrentLinkedQueue<>();
  private final Map<Object, Long> lastWarned = new ConcurrentHashMap<>();

  /**
   * @param secret the cluster secret
   * @param clusterName the effective cluster name (part of the key and of every message's
   *     authenticated data, so clusters with one secret but different names stay apart)
   */
  public Seal(String secret, String clusterName) {
    this.key = deriveKey(secret, clusterName);
    this.aad = clusterName.getBytes(StandardCharsets.UTF_8);
    new SecureRandom().nextBytes(start);
  }

  static SecretKey deriveKey(String secret, String clusterName) {
    try {
      byte[] salt = ("cohort-cluster-v1:" + clusterName).getBytes(StandardCharsets.UTF_8);
      KeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, KEY_ITERATIONS, 256);
      byte[] raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new SecretKeySpec(raw, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is required of every Java runtime", e);
    }
  }

  @Override
  public Object down(Message msg) {
    if (msg.getSrc() == null) {
      msg.setSrc(local_addr);
    }
    try {
      ByteArray plain = Util.messageToBuffer(msg);
      byte[] sealed = seal(plain.getArray(), plain.getOffset(), plain.getLength());
      Message outer = new BytesMessage(msg.getDest(), sealed).setFlag(msg.getFlags(), false);
      if (msg.isFlagSet(Message.TransientFlag.DONT_LOOPBACK)) {
        outer.setFlag(Message.TransientFlag.DONT_LOOPBACK);
      }
      return down_prot.down(outer);
    } catch (Exception e) {
      throw new IllegalStateException("could not seal a cluster message", e);
    }
  }

  @Override
  public Object up(Message msg) {
    Message inner = open(msg);
    return inner == null ? null : up_prot.up(inner);
  }

  @Override
  public void up(MessageBatch batch) {
    FastArray<Message>.FastIterator it = (FastArray<Message>.FastIterator) batch.iterator();
    while (it.hasNext()) {
      Message inner = open(it.next());
      if (inner == null) {
        it.remove();
      } else {
        it.replace(inner);
      }
    }
    if (!batch.isEmpty()) {
      up_prot.up(batch);
    }
  }

  Message open(Message msg) {
    try {
      if (!msg.hasArray() || msg.getLength() < 1 + NONCE + TAG_BITS / 8) {
        throw new GeneralSecurityException("too short to be sealed");
      }
      byte[] buf = msg.getArray();
      int offset = msg.getOffset();
      if (buf[offset] != FORMAT) {
        throw new GeneralSecurityException("unknown format " + buf[offset]);
      }
      Cipher cipher = cipher();
      try {
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, buf, offset + 1, NONCE));
        cipher.updateAAD(aad);
        byte[] plain =
            cipher.doFinal(buf, offset + 1 + NONCE, msg.getLength() - 1 - NONCE);
        return Util.messageFromBuffer(plain, 0, plain.length);
      } finally {
        ciphers.offer(cipher);
      }
    } catch (Exception e) {
      refused(msg.getSrc(), e);
      return null;
    }
  }

  byte[] seal(byte[] plain, int offset, int length) throws GeneralSecurityException {
    byte[] out = new byte[1 + NONCE + length + TAG_BITS / 8];
    out[0] = FORMAT;
    System.arraycopy(start, 0, out, 1, NONCE);
    long n = sent.getAndIncrement();
    for (int i = 0; i < Long.BYTES; i++) {
      out[NONCE - i] ^= (byte) (n >>> (8 * i));
    }
    Cipher cipher = cipher();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, out, 1, NONCE));
      cipher.updateAAD(aad);
      cipher.doFinal(plain, offset, length, out, 1 + NONCE);
      return out;
    } finally {
      ciphers.offer(cipher);
    }
  }

  private Cipher cipher() throws GeneralSecurityException {
    Cipher cipher = ciphers.poll();
    return cipher != null ? cipher : Cipher.getInstance("AES/GCM/NoPadding");
  }

  private void refused(Address sender, Exception e) {
    Object who = sender == null ? "unknown" : sender;
    long now = System.nanoTime();
    Long last = lastWarned.get(who);
    if (last != null && now - last < WARN_EVERY_NANOS) {
      return;
    }
    if (lastWarned.size() > 1_000) {
      lastWarned.clear();
    }
    lastWarned.put(who, now);
    LOG.warn(
        "COH.0700.0010W Dropped cluster traffic from {} that failed authentication ({}): a node"
            + " with another cluster.secret or cluster name, or something that is not a Cohort"
            + " node, is talking to this node's cluster port",
        who,
        e.getClass().getSimpleName());
  }
}
