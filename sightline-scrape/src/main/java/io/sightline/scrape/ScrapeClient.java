package io.sightline.scrape;

import io.sightline.common.http.HttpClientConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Fetches one exposition body over HTTP(S) with a job's client settings: basic auth or an
 * {@code Authorization} header (secrets from files are re-read at each scrape, so rotated files take
 * effect), TLS with a CA file, a client certificate, a server name and optional skipped verification,
 * {@code Accept-Encoding: gzip}, a per-request timeout and a bound on the body, compressed and not.
 * Thread-safe; one per job.
 */
final class ScrapeClient {
    /** Prometheus 2's header: OpenMetrics first, then the text format. */
    static final String ACCEPT = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private final HttpClientConfig config;
    private final HttpClient client;
    private final String userAgent;

    /** The body and what the target said it is. */
    record Response(String contentType, byte[] body) {}

    /** A scrape that got no usable body; the message is what {@code lastError} shows. */
    static final class ScrapeFailure extends Exception {
        ScrapeFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @throws IllegalArgumentException if the TLS files cannot be read or used, naming the file
     */
    ScrapeClient(HttpClientConfig config, Executor executor, String userAgent) {
        this.config = config;
        this.userAgent = userAgent;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(30))
                .followRedirects(config.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER);
        HttpClientConfig.Tls tls = config.tls();
        if (tls != null && !tls.equals(HttpClientConfig.Tls.NONE)) {
            b.sslContext(sslContext(tls));
            if (tls.serverName() != null) {
                SSLParameters p = new SSLParameters();
                p.setServerNames(List.of(new SNIHostName(tls.serverName())));
                b.sslParameters(p);
            }
        }
        this.client = b.build();
    }

    HttpClientConfig config() {
        return config;
    }

    /**
     * Starts a GET of {@code url}; completes with the body, or exceptionally with {@link ScrapeFailure}
     * (HTTP status, timeout, body too large, connection error) or an unexpected exception.
     *
     * @param bodyLimit the most bytes accepted, before and after decompression; 0 for no limit
     */
    CompletableFuture<Response> fetch(URI url, Duration timeout, boolean gzip, long bodyLimit) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout).GET()
                .header("Accept", ACCEPT)
                .header("User-Agent", userAgent)
                .header("X-Prometheus-Scrape-Timeout-Seconds", Double.toString(timeout.toMillis() / 1000.0));
        if (gzip) {
            rb.header("Accept-Encoding", "gzip");
        }
        try {
            String auth = authorization();
            if (auth != null) {
                rb.header("Authorization", auth);
            }
        } catch (ScrapeFailure e) {
            return CompletableFuture.failedFuture(e);
        }
        long limit = bodyLimit <= 0 ? Integer.MAX_VALUE - 16 : Math.min(bodyLimit, Integer.MAX_VALUE - 16);
        return client.sendAsync(rb.build(), info -> new LimitedBody(limit))
                .handle((resp, err) -> {
                    if (err != null) {
                        throw new java.util.concurrent.CompletionException(failure(err, timeout));
                    }
                    if (resp.statusCode() != 200) {
                        throw new java.util.concurrent.CompletionException(
                                new ScrapeFailure("server returned HTTP status " + resp.statusCode() + " " + reason(resp.statusCode())));
                    }
                    byte[] body = resp.body();
                    String encoding = resp.headers().firstValue("Content-Encoding").orElse("");
                    if (encoding.equalsIgnoreCase("gzip")) {
                        try {
                            body = gunzip(body, limit);
                        } catch (ScrapeFailure e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }
                    return new Response(resp.headers().firstValue("Content-Type").orElse(""), body);
                });
    }

    private static Throwable failure(Throwable err, Duration timeout) {
        Throwable e = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e instanceof ScrapeFailure) {
            return e;
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return new ScrapeFailure("context deadline exceeded: no complete response within the scrape timeout of "
                    + io.sightline.common.PromDuration.format(timeout));
        }
        if (e instanceof IOException) {
            String m = e.getMessage();
            if (e instanceof java.net.ConnectException) {
                m = "connection refused" + (m == null || m.isEmpty() ? "" : " (" + m + ")");
            }
            return new ScrapeFailure(m == null || m.isEmpty() ? e.getClass().getSimpleName() : m);
        }
        return e;
    }

    private static String reason(int status) {
        return switch (status) {
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "";
        };
    }

    private String authorization() throws ScrapeFailure {
        if (config.basicAuth() != null) {
            HttpClientConfig.BasicAuth a = config.basicAuth();
            String password = a.passwordFile() != null ? readSecret(a.passwordFile()) : a.password() == null ? "" : a.password();
            return "Basic " + Base64.getEncoder().encodeToString((a.username() + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        if (config.authorization() != null) {
            HttpClientConfig.Authorization a = config.authorization();
            String credentials = a.credentialsFile() != null ? readSecret(a.credentialsFile())
                    : a.credentials() == null ? "" : a.credentials();
            return a.type() + " " + credentials;
        }
        return null;
    }

    private static String readSecret(String file) throws ScrapeFailure {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException | RuntimeException e) {
            throw new ScrapeFailure("cannot read the secret file " + file + ": " + e.getMessage());
        }
    }

    static byte[] gunzip(byte[] body, long limit) throws ScrapeFailure {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, Math.min(body.length * 4, 1 << 24)));
            byte[] buf = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > limit) {
                    throw new ScrapeFailure("body size limit exceeded: the uncompressed body is larger than " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new ScrapeFailure("cannot decompress the gzip body: " + e.getMessage());
        }
    }

    /** Collects the body, failing as soon as it passes the limit (the connection is then dropped). */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final List<ByteBuffer> parts = new ArrayList<>();
        private long size;
        private Flow.Subscription subscription;

        LimitedBody(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                size += b.remaining();
                parts.add(b);
            }
            if (size > limit) {
                parts.clear();
                subscription.cancel();
                result.completeExceptionally(new ScrapeFailure("body size limit exceeded: the body is larger than "
                        + limit + " bytes (body_size_limit)"));
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            byte[] all = new byte[(int) size];
            int off = 0;
            for (ByteBuffer b : parts) {
                int n = b.remaining();
                b.get(all, off, n);
                off += n;
            }
            parts.clear();
            result.complete(all);
        }
    }

    // --- TLS ---

    private static SSLContext sslContext(HttpClientConfig.Tls tls) {
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
