package io.sightline.scrape;

import io.sightline.common.http.HttpClientConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.zip.GZIPInputStream;

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
        io.sightline.common.http.TlsClients.apply(b, config.tls());
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
}
