package dev.sluice.router.impl.auth;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * How a client certificate is named: the SHA-256 of its DER encoding, in lower-case hex (what
 * {@code openssl x509 -noout -fingerprint -sha256} prints, without the colons).
 */
public final class ClientCertificates {

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private ClientCertificates() {}

    public static String fingerprint(Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("SHA-256 of a certificate", e);
        }
    }

    /** A fingerprint as people write it (upper or lower case, with or without colons), or empty if it is not one. */
    public static Optional<String> normalize(String text) {
        String hex = text.replace(":", "").toLowerCase(Locale.ROOT);
        return FINGERPRINT.matcher(hex).matches() ? Optional.of(hex) : Optional.empty();
    }

    /** The one X.509 certificate in a PEM text; more than one, or none, is an error. */
    public static X509Certificate parsePem(String pem) throws CertificateException {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        if (certs.size() != 1 || !(certs.iterator().next() instanceof X509Certificate x509)) {
            throw new CertificateException("expected exactly one X.509 certificate, found " + certs.size());
        }
        return x509;
    }

    /** The fingerprint of the certificate the peer of a TLS session presented (and the trust store verified), if any. */
    public static Optional<String> peer(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length == 0 ? Optional.empty() : Optional.of(fingerprint(chain[0]));
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
