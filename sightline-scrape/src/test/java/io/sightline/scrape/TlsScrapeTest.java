package io.sightline.scrape;

import static io.sightline.scrape.ScrapeTesting.job;
import static io.sightline.scrape.ScrapeTesting.samples;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsServer;
import io.sightline.common.http.HttpClientConfig;
import io.sightline.scrape.ScrapeTesting.Sample;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS targets with certificates made by openssl: a private CA, a server certificate for 127.0.0.1 and
 * a client certificate. Verification against {@code ca_file}, {@code insecure_skip_verify}, a wrong
 * {@code server_name}, and a target that requires a client certificate.
 */
class TlsScrapeTest {
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    static Path dir;

    private static HttpsServer server;
    private static HttpsServer mutual;

    private static io.sightline.testkit.TestCertificates certs;

    @BeforeAll
    static void certificates() throws Exception {
        assumeTrue(io.sightline.testkit.TestCertificates.available(), "needs the openssl command to make test certificates");
        certs = io.sightline.testkit.TestCertificates.create(dir);
        server = https(false);
        mutual = https(true);
    }

    private static HttpsServer https(boolean needClientAuth) throws Exception {
        HttpsServer s = certs.httpsServer(needClientAuth);
        s.createContext("/metrics", ex -> {
            byte[] b = "secure 1\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        s.start();
        return s;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
            mutual.stop(0);
        }
    }

    /** Scrapes {@code target} once with {@code tls}; returns the target's last error ("" when it worked). */
    private static String scrape(HttpsServer target, HttpClientConfig.Tls tls) throws Exception {
        MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
        try (ScrapeManager m = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 1000, 0, () -> T0, false))) {
            ScrapeConfig c = job("tls", List.of("127.0.0.1:" + target.getAddress().getPort()));
            c = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), "https", c.params(),
                    false, true, true, 0, 0, new HttpClientConfig(null, null, tls, true), c.staticConfigs(), List.of(),
                    List.of(), List.of());
            m.apply(List.of(c), dir);
            Target t = m.pools().get(0).active().get(0);
            m.loop(t).scrapeOnce(T0).get();
            if (t.lastError().isEmpty()) {
                assertThat(samples(storage, "secure")).containsExactly(new Sample(T0, 1));
            }
            return t.lastError();
        } finally {
            storage.close();
        }
    }

    private static String file(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void verifiesAgainstTheCaFile() throws Exception {
        assertThat(scrape(server, HttpClientConfig.Tls.NONE)).as("the JDK's CAs do not know ours").isNotEmpty();
        assertThat(scrape(server, new HttpClientConfig.Tls(file("ca.pem"), null, null, null, false))).isEmpty();
    }

    @Test
    void insecureSkipVerify_acceptsAnUnknownCertificate() throws Exception {
        assertThat(scrape(server, new HttpClientConfig.Tls(null, null, null, null, true))).isEmpty();
    }

    @Test
    void serverName_isSentAndChecked() throws Exception {
        assertThat(scrape(server, new HttpClientConfig.Tls(file("ca.pem"), null, null, "target.test", false))).isEmpty();
    }

    @Test
    void clientCertificate_forATargetThatRequiresOne() throws Exception {
        assertThat(scrape(mutual, new HttpClientConfig.Tls(file("ca.pem"), null, null, null, false)))
                .as("no client certificate").isNotEmpty();
        assertThat(scrape(mutual, new HttpClientConfig.Tls(file("ca.pem"), file("client.pem"), file("client.pk8.pem"), null,
                false))).isEmpty();
        assertThat(scrape(mutual, new HttpClientConfig.Tls(file("ca.pem"), file("client.pem"), file("client.rsa.pem"), null,
                false))).as("a PKCS#1 RSA key").isEmpty();
    }

    @Test
    void unusableTlsFiles_areRefusedWhenTheConfigIsApplied() {
        MemoryStorage storage = new MemoryStorage(StorageOptions.DEFAULTS);
        try (ScrapeManager m = new ScrapeManager(() -> storage, new ScrapeManager.Options("t", 1000, 0, () -> T0, false))) {
            ScrapeConfig c = job("tls", List.of("127.0.0.1:1"));
            ScrapeConfig bad = new ScrapeConfig(c.jobName(), c.scrapeInterval(), c.scrapeTimeout(), c.metricsPath(), "https",
                    c.params(), false, true, true, 0, 0,
                    new HttpClientConfig(null, null, new HttpClientConfig.Tls(file("ca.pem"), file("client.pem"),
                            file("ca.pem"), null, false), true),
                    c.staticConfigs(), List.of(), List.of(), List.of());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.apply(List.of(bad), dir))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ca.pem holds no unencrypted PKCS#8 or PKCS#1 private key");
            assertThat(m.pools()).isEmpty();
        }
    }
}
