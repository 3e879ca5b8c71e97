package io.sightline.common.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Prometheus's {@code tls_config} on a JDK {@link HttpClient}: {@code ca_file} (PEM, one or more
 * certificates) as the only trusted roots, {@code cert_file}/{@code key_file} as the client certificate
 * (PEM; PKCS#8 RSA, EC or Ed25519, or PKCS#1 RSA), {@code server_name} for SNI and
 * {@code insecure_skip_verify}. Shared by scraping and alert forwarding. Stateless.
 */
public final class TlsClients {
    private TlsClients() {}

    /**
     * Applies {@code tls} to {@code b}; {@link HttpClientConfig.Tls#NONE} or null leaves the JDK's defaults.
     *
     * @throws IllegalArgumentException if the files cannot be read or used, naming the file
     */
    public static HttpClient.Builder apply(HttpClient.Builder b, HttpClientConfig.Tls tls) {
        if (tls != null && !tls.equals(HttpClientConfig.Tls.NONE)) {
            b.sslContext(sslContext(tls));
            if (tls.serverName() != null) {
                SSLParameters p = new SSLParameters();
                p.setServerNames(List.of(new SNIHostName(tls.serverName())));
                b.sslParameters(p);
            }
        }
        return b;
    }


    /**
     * The SSL context for {@code tls} (trusted roots, client certificate, or trusting everything).
     *
     * @throws IllegalArgumentException if the files cannot be read or used, naming the file
     */
    public static SSLContext sslContext(HttpClientConfig.Tls tls) {
        try {
            TrustManager[] trust;
            if (tls.insecureSkipVerify()) {
                trust = new TrustManager[] {new TrustEverything()};
            } else if (tls.caFile() != null) {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (Certificate c : certificates(tls.caFile())) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            } else {
                trust = null;
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (tls.certFile() != null) {
                Collection<? extends Certificate> chain = certificates(tls.certFile());
                PrivateKey key = privateKey(tls.keyFile());
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                ks.setKeyEntry("client", key, new char[0], chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(String file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + file);
            }
            return certs;
        }
    }

    /** A PEM key: PKCS#8 ({@code BEGIN PRIVATE KEY}; RSA, EC or Ed25519) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
    private static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(Path.of(file));
        byte[] pkcs1 = pemBlock(pem, "RSA PRIVATE KEY");
        if (pkcs1 != null) {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(pkcs1)));
        }
        byte[] der = pemBlock(pem, "PRIVATE KEY");
        if (der == null) {
            throw new GeneralSecurityException(file + " holds no unencrypted PKCS#8 or PKCS#1 private key (BEGIN PRIVATE KEY"
                    + " or BEGIN RSA PRIVATE KEY); convert it with `openssl pkcs8 -topk8 -nocrypt`");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // the key's algorithm is not in the PEM header; try the common ones
            }
        }
        throw new GeneralSecurityException(file + ": unsupported private key algorithm");
    }

    private static byte[] pemBlock(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            return null;
        }
        return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption with NULL parameters. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
            0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] len;
        if (n < 0x80) {
            len = new byte[] {(byte) n};
        } else if (n < 0x100) {
            len = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }

    /** {@code insecure_skip_verify}: any certificate and any host name. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
