package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Certificates made for a test by the JDK's keytool, in a temporary directory: the router's own
 * (a PKCS#12 store for 127.0.0.1, password {@code changeit}), a CA (its certificate in PEM, for
 * {@code router.mqtt.tls.trust}), and devices whose certificates that CA signs.
 */
final class TestCertificates implements AutoCloseable {

    static final String PASSWORD = "changeit";
    private final Path dir;
    private final X509Certificate ca;

    TestCertificates() throws Exception {
        dir = Files.createTempDirectory("sluice-certs");
        routerStore(dir);
        ecKeyPair(dir.resolve("ca.p12"), "ca", "CN=Sluice Test Devices CA", "-ext", "bc:c");
        keytool(
                "-exportcert",
                "-alias",
                "ca",
                "-rfc",
                "-keystore",
                dir.resolve("ca.p12").toString(),
                "-file",
                caPem().toString());
        ca = read(Files.readString(caPem()));
    }

    /** The router's key store (PKCS#12, password {@value #PASSWORD}). */
    Path routerStore() {
        return dir.resolve("router.p12");
    }

    /**
     * Makes {@code dir/router.p12} alone: a PKCS#12 store (password {@value #PASSWORD}) with a
     * certificate for 127.0.0.1, for tests that need the router on TLS and nothing else.
     */
    static Path routerStore(Path dir) throws Exception {
        Path store = dir.resolve("router.p12");
        ecKeyPair(store, "router", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1");
        return store;
    }

    /** The CA's certificate, PEM. */
    Path caPem() {
        return dir.resolve("ca.pem");
    }

    /** A device key pair with a certificate for {@code CN=<name>} that the CA signs. */
    Device device(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Path csr = dir.resolve(name + ".csr");
        Path pem = dir.resolve(name + ".pem");
        ecKeyPair(store, "device", "CN=" + name);
        keytool("-certreq", "-alias", "device", "-keystore", store.toString(), "-file", csr.toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                dir.resolve("ca.p12").toString(),
                "-infile",
                csr.toString(),
                "-outfile",
                pem.toString(),
                "-rfc",
                "-validity",
                "2",
                "-ext",
                "eku=clientAuth");
        KeyStore self = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            self.load(in, PASSWORD.toCharArray());
        }
        String text = Files.readString(pem);
        return new Device((PrivateKey) self.getKey("device", PASSWORD.toCharArray()), read(text), ca, text);
    }

    /** A device's key and CA-signed certificate. */
    record Device(PrivateKey key, X509Certificate cert, X509Certificate ca, String pem) {

        /** TLS that presents this certificate and trusts any server (the router's certificate is self-signed). */
        SSLSocketFactory socketFactory() throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("device", key, PASSWORD.toCharArray(), new Certificate[] {cert, ca});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), new TrustManager[] {TRUST_ANY}, null);
            return tls.getSocketFactory();
        }
    }

    /** TLS that presents no certificate and trusts any server. */
    static SSLSocketFactory anonymous() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {TRUST_ANY}, null);
        return tls.getSocketFactory();
    }

    private static final X509TrustManager TRUST_ANY = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    private static X509Certificate read(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** An EC (P-256) key pair in a PKCS#12 store, its self-signed certificate valid for two days. */
    private static void ecKeyPair(Path store, String alias, String dname, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(
                List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname));
        args.addAll(List.of(extra));
        args.addAll(List.of("-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString()));
        keytool(args.toArray(String[]::new));
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = Stream.concat(
                        Stream.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString()),
                        Stream.concat(Stream.of(args), Stream.of("-storepass", PASSWORD, "-noprompt")))
                .toList();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", args) + ": " + out);
    }

    @Override
    public void close() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
