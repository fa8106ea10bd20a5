package dev.era.apiserver;

import io.vertx.core.net.KeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;

/**
 * The embedded API server's TLS material: a CA of its own, and a serving certificate that CA signed
 * for {@code 127.0.0.1} and {@code localhost}. Kept in a directory, it lasts across restarts, so
 * that the CA in kubeconfigs handed out stays valid: {@code ca.crt}, {@code ca.key}, {@code
 * apiserver.crt}, {@code apiserver.key}, mode 0600 in a directory of mode 0700. What is missing, or
 * expires within {@link #RENEW_BEFORE}, is made again at start: the serving certificate by the same
 * CA, a new CA with a new serving certificate.
 */
final class ServerTls {
  static final List<String> DNS_NAMES = List.of("localhost");
  static final List<String> IP_ADDRESSES = List.of(EmbeddedApiServer.HOST);
  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final String CA_NAME = "era-ca";
  private static final String SERVER_NAME = "era-apiserver";

  private final CertificateAuthority ca;
  private final X509Certificate serving;
  private final PrivateKey servingKey;

  private ServerTls(CertificateAuthority ca, X509Certificate serving, PrivateKey servingKey) {
    this.ca = ca;
    this.serving = serving;
    this.servingKey = servingKey;
  }

  /** New material, kept in memory only. */
  static ServerTls create(Instant now) {
    return issue(CertificateAuthority.create(CA_NAME, now), now);
  }

  /**
   * The material in {@code dir}, completed or renewed as needed and written back.
   *
   * @throws IOException if a file cannot be read or written, or holds no certificate or key
   */
  static ServerTls loadOrCreate(Path dir, Instant now) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    PemPair caFiles = new PemPair(dir, "ca");
    PemPair servingFiles = new PemPair(dir, "apiserver");
    CertificateAuthority ca =
        caFiles.exist() ? new CertificateAuthority(caFiles.certificate(), caFiles.key()) : null;
    if (ca == null || expiresSoon(ca.certificate(), now)) {
      ServerTls fresh = create(now);
      caFiles.write(fresh.ca.certificate(), fresh.ca.key());
      servingFiles.write(fresh.serving, fresh.servingKey);
      return fresh;
    }
    if (servingFiles.exist()) {
      X509Certificate serving = servingFiles.certificate();
      if (ca.signed(serving) && !expiresSoon(serving, now)) {
        return new ServerTls(ca, serving, servingFiles.key());
      }
    }
    ServerTls renewed = issue(ca, now);
    servingFiles.write(renewed.serving, renewed.servingKey);
    return renewed;
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }

  X509Certificate servingCertificate() {
    return serving;
  }

  /** The serving key and certificate chain, for the HTTPS listener. */
  KeyCertOptions keyCertOptions() {
    try {
      char[] password = new char[0];
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, password);
      store.setKeyEntry(
          "apiserver", servingKey, password, new Certificate[] {serving, ca.certificate()});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(store, password);
      return KeyCertOptions.wrap(keyManagers);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot use the serving certificate: " + e.getMessage(), e);
    }
  }

  private static ServerTls issue(CertificateAuthority ca, Instant now) {
    KeyPair keys = CertificateAuthority.newKeyPair();
    return new ServerTls(
        ca,
        ca.issueServing(keys.getPublic(), SERVER_NAME, DNS_NAMES, IP_ADDRESSES, now),
        keys.getPrivate());
  }

  private static boolean expiresSoon(X509Certificate certificate, Instant now) {
    return certificate.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE));
  }

  /** A certificate and its key as {@code <name>.crt} and {@code <name>.key}. */
  private record PemPair(Path dir, String name) {
    boolean exist() {
      return Files.exists(certificateFile()) && Files.exists(keyFile());
    }

    X509Certificate certificate() throws IOException {
      try {
        return Pem.certificate(Files.readString(certificateFile()));
      } catch (IOException e) {
        throw new IOException("cannot read " + certificateFile() + ": " + e.getMessage(), e);
      }
    }

    PrivateKey key() throws IOException {
      try {
        return Pem.privateKey(Files.readString(keyFile()));
      } catch (IOException e) {
        throw new IOException("cannot read " + keyFile() + ": " + e.getMessage(), e);
      }
    }

    void write(X509Certificate certificate, PrivateKey key) throws IOException {
      AtomicFile.writeString(keyFile(), Pem.of(key));
      AtomicFile.writeString(certificateFile(), Pem.of(certificate));
    }

    private Path certificateFile() {
      return dir.resolve(name + ".crt");
    }

    private Path keyFile() {
      return dir.resolve(name + ".key");
    }
  }
}
