package dev.era.apiserver;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Certificates and private keys as PEM text, the form kubeconfigs and {@code openssl} use. */
final class Pem {
  private Pem() {}

  static String of(X509Certificate certificate) {
    return write(certificate);
  }

  /** An unencrypted PKCS#8 {@code PRIVATE KEY}. */
  static String of(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static X509Certificate certificate(String pem) throws IOException {
    if (!(read(pem) instanceof X509CertificateHolder holder)) {
      throw new IOException("not a PEM certificate");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IOException("not a valid certificate: " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(String pem) throws IOException {
    if (!(read(pem) instanceof PrivateKeyInfo info)) {
      throw new IOException("not a PEM PKCS#8 private key");
    }
    return new JcaPEMKeyConverter().getPrivateKey(info);
  }

  private static Object read(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      return parser.readObject();
    }
  }

  private static String write(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }
}
