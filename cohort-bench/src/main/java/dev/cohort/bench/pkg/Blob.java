package dev.cohort.bench.pkg;

import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** A session attribute of a chosen size: random (incompressible) bytes. */
final class Blob implements Serializable {

  private static final long serialVersionUID = 1L;

  private final byte[] bytes;

  Blob(int size, long seed) {
    bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
  }

  int size() {
    return bytes.length;
  }

  /** SHA-256 of the bytes, in hex: what a node reading the attribute can compare. */
  String digest() {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
