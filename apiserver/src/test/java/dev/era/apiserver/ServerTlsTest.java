package dev.era.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTlsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;

  @Test
  void theServingCertificateIsForTheLoopbackNamesAndSignedByTheCa() throws Exception {
    ServerTls tls = ServerTls.create(NOW);
    X509Certificate ca = tls.caCertificate();
    X509Certificate serving = tls.servingCertificate();

    assertThat(ca.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
    ca.verify(ca.getPublicKey());
    serving.verify(ca.getPublicKey());
    assertThat(serving.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1"); // serverAuth
    assertThat(subjectAlternativeNames(serving))
        .containsExactlyInAnyOrder("localhost", "127.0.0.1");
    assertThat(serving.getNotBefore().toInstant()).isBefore(NOW);
    assertThat(serving.getNotAfter().toInstant())
        .isEqualTo(NOW.plus(CertificateAuthority.SERVING_VALIDITY));
    assertThat(ca.getNotAfter().toInstant()).isEqualTo(NOW.plus(CertificateAuthority.CA_VALIDITY));
  }

  @Test
  void keptInADirectoryOnlyItsOwnerMayRead() throws IOException {
    ServerTls.loadOrCreate(dir, NOW);

    assertThat(Files.getPosixFilePermissions(dir))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files)
          .extracting(
              f ->
                  f.getFileName().toString()
                      + " "
                      + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .containsExactlyInAnyOrder(
              "ca.crt rw-------",
              "ca.key rw-------",
              "apiserver.crt rw-------",
              "apiserver.key rw-------");
    }
  }

  @Test
  void reusedOnTheNextStart() throws IOException {
    ServerTls first = ServerTls.loadOrCreate(dir, NOW);
    ServerTls second = ServerTls.loadOrCreate(dir, NOW.plus(Duration.ofDays(100)));

    assertThat(second.caCertificate()).isEqualTo(first.caCertificate());
    assertThat(second.servingCertificate()).isEqualTo(first.servingCertificate());
  }

  @Test
  void aServingCertificateAboutToExpireIsIssuedAgainByTheSameCa() throws Exception {
    ServerTls first = ServerTls.loadOrCreate(dir, NOW);
    Instant later =
        NOW.plus(CertificateAuthority.SERVING_VALIDITY)
            .minus(ServerTls.RENEW_BEFORE)
            .plusSeconds(1);
    ServerTls renewed = ServerTls.loadOrCreate(dir, later);

    assertThat(renewed.caCertificate()).isEqualTo(first.caCertificate());
    assertThat(renewed.servingCertificate()).isNotEqualTo(first.servingCertificate());
    renewed.servingCertificate().verify(first.caCertificate().getPublicKey());
    assertThat(ServerTls.loadOrCreate(dir, later).servingCertificate())
        .as("written back")
        .isEqualTo(renewed.servingCertificate());
  }

  @Test
  void aCaAboutToExpireIsMadeAgainWithItsServingCertificate() throws IOException {
    ServerTls first = ServerTls.loadOrCreate(dir, NOW);
    Instant later =
        NOW.plus(CertificateAuthority.CA_VALIDITY).minus(ServerTls.RENEW_BEFORE).plusSeconds(1);
    ServerTls renewed = ServerTls.loadOrCreate(dir, later);

    assertThat(renewed.caCertificate()).isNotEqualTo(first.caCertificate());
    assertThat(renewed.servingCertificate().getIssuerX500Principal())
        .isEqualTo(renewed.caCertificate().getSubjectX500Principal());
  }

  @Test
  void aServingCertificateOfAnotherCaIsReplaced() throws Exception {
    ServerTls.loadOrCreate(dir, NOW);
    Path other = Files.createDirectory(dir.resolve("other"));
    ServerTls.loadOrCreate(other, NOW);
    Files.copy(
        other.resolve("apiserver.crt"),
        dir.resolve("apiserver.crt"),
        StandardCopyOption.REPLACE_EXISTING);

    ServerTls reloaded = ServerTls.loadOrCreate(dir, NOW);
    reloaded.servingCertificate().verify(reloaded.caCertificate().getPublicKey());
  }

  @Test
  void aDamagedFileFailsNamingIt() throws IOException {
    ServerTls.loadOrCreate(dir, NOW);
    Files.writeString(dir.resolve("ca.key"), "not a key");

    assertThatThrownBy(() -> ServerTls.loadOrCreate(dir, NOW))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(dir.resolve("ca.key").toString());
  }

  private static List<String> subjectAlternativeNames(X509Certificate certificate)
      throws CertificateParsingException {
    return certificate.getSubjectAlternativeNames().stream()
        .map(name -> name.get(1).toString())
        .toList();
  }
}
