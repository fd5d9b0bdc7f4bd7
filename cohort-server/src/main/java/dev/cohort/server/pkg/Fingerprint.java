package dev.cohort.server.pkg;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/** The digest behind {@link ServiceRegistry#fingerprint()}. */
final class Fingerprint {

  private Fingerprint() {}

  static String of(List<LoadedPackage> packages, List<PackageClassLoader> loaders) {
    MessageDigest digest = sha256();
    for (LoadedPackage p : packages.stream().sorted(Comparator.comparing(LoadedPackage::name)).toList()) {
      update(digest, p.name() + '\n' + p.version() + '\n' + p.state() + '\n');
      addFile(digest, p.dir().resolve(PackageLoader.MANIFEST));
      loaders.stream()
          .filter(l -> l.packageName().equals(p.name()))
          .flatMap(l -> List.of(l.getURLs()).stream())
          .map(URL::toString)
          .sorted()
          .forEach(url -> addFile(digest, path(url)));
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 16);
  }

  private static Path path(String url) {
    try {
      return Path.of(new URL(url).toURI());
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("not a file URL: " + url, e);
    }
  }

  private static void addFile(MessageDigest digest, Path file) {
    update(digest, file.getFileName() + "\n");
    if (!Files.isRegularFile(file)) {
      return;
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      update(digest, "unreadable\n");
    }
  }

  private static void update(MessageDigest digest, String s) {
    digest.update(s.getBytes(StandardCharsets.UTF_8));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
