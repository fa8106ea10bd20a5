package dev.era.apiserver;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of its own for the embedded API server, as kubeadm makes one: a
 * self-signed CA certificate, and serving certificates it signs for the names clients use. Keys are
 * ECDSA P-256, which every client (Go's crypto/tls in kubectl, the JDK) accepts. Bouncy Castle
 * writes the certificates; the keys and signatures are the JDK's.
 */
final class CertificateAuthority {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration SERVING_VALIDITY = Duration.ofDays(365);

  /** Tolerates a client clock a little behind this one. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;

  CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA, valid for {@link #CA_VALIDITY} from {@code now}. */
  static CertificateAuthority create(String commonName, Instant now) {
    KeyPair keys = newKeyPair();
    X500Name name = new X500Name("CN=" + commonName);
    try {
      var builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(CA_VALIDITY)),
                  name,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(sign(builder, keys.getPrivate()), keys.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a CA certificate: " + e.getMessage(), e);
    }
  }

  X509Certificate certificate() {
    return certificate;
  }

  PrivateKey key() {
    return key;
  }

  /**
   * A certificate for a TLS server reached as any of {@code dnsNames} and {@code ipAddresses}
   * (clients check these subject alternative names, not the common name), valid for {@link
   * #SERVING_VALIDITY} from {@code now}.
   */
  X509Certificate issueServing(
      PublicKey subjectKey,
      String commonName,
      List<String> dnsNames,
      List<String> ipAddresses,
      Instant now) {
    GeneralName[] names = new GeneralName[dnsNames.size() + ipAddresses.size()];
    int i = 0;
    for (String dns : dnsNames) {
      names[i++] = new GeneralName(GeneralName.dNSName, dns);
    }
    for (String ip : ipAddresses) {
      names[i++] = new GeneralName(GeneralName.iPAddress, ip);
    }
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      var builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(SERVING_VALIDITY)),
                  new X500Name("CN=" + commonName),
                  subjectKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(certificate))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(subjectKey));
      return sign(builder, key);
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a serving certificate: " + e.getMessage(), e);
    }
  }

  /** Whether {@code issued} carries this CA's signature. */
  boolean signed(X509Certificate issued) {
    try {
      issued.verify(certificate.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys: " + e.getMessage(), e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  /** A random positive serial of at most 20 octets, as RFC 5280 asks. */
  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }
}
