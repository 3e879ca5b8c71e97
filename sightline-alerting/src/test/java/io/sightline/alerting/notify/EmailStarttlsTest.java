package io.sightline.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sightline.common.Labels;
import io.sightline.testkit.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The e-mail receiver against SubEtha SMTP, a real SMTP server that offers STARTTLS and requires it and
 * AUTH: the message goes over TLS, verified against the config's {@code tls_config.ca_file}.
 */
class EmailStarttlsTest {
    @TempDir
    Path tmp;
    SMTPServer smtp;
    Notifier notifier;
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<String> logins = new CopyOnWriteArrayList<>();
    TestCertificates certs;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(TestCertificates.available(), "needs the openssl command to make test certificates");
        certs = TestCertificates.create(tmp);
        smtp = SMTPServer.port(0).bindAddress(java.net.InetAddress.getLoopbackAddress())
                .startTlsSocketFactory(certs.serverContext()).enableTLS().requireTLS()
                .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((user, password, context) -> {
                    if (!user.equals("sightline") || !password.equals("s3cret")) {
                        throw new org.subethamail.smtp.auth.LoginFailedException("bad login");
                    }
                    logins.add(user);
                }))
                .requireAuth()
                .messageHandler((context, from, to, data) -> received.add(from + " -> " + to + "\n"
                        + new String(data, StandardCharsets.UTF_8)))
                .build();
        smtp.start();
    }

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    private static void await(String what, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private Notifier notifier(String tls) throws Exception {
        return new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    email_configs:
                      - to: oncall@example.org
                        from: sightline@example.org
                        smarthost: '127.0.0.1:%d'
                        auth_username: sightline
                        auth_password: s3cret
                        %s
                """.formatted(smtp.getPortAllocated(), tls)), "", System::currentTimeMillis);
    }

    @Test
    void starttlsAndAuth_withTheConfiguredCa() throws Exception {
        notifier = notifier("tls_config: {ca_file: " + certs.file("ca.pem") + "}");
        notifier.receive(List.of(new Notifier.AlertEvent(Labels.of("alertname", "OverTls"), Map.of("summary", "secure"),
                System.currentTimeMillis() - 1000, System.currentTimeMillis() + 60_000, "")));
        await("the mail", () -> received.size() == 1);
        assertThat(received.get(0)).startsWith("sightline@example.org -> oncall@example.org").contains("Subject: [FIRING:1] (OverTls)");
        assertThat(logins).containsExactly("sightline");
    }

    @Test
    void anUntrustedCertificate_failsTheDelivery() throws Exception {
        notifier = notifier(""); // the JDK's roots do not know the test CA
        notifier.receive(List.of(new Notifier.AlertEvent(Labels.of("alertname", "X"), Map.of(),
                System.currentTimeMillis() - 1000, System.currentTimeMillis() + 60_000, "")));
        await("the failure", () -> notifier.stats().containsKey("r") && notifier.stats().get("r").failed.get() >= 1);
        assertThat(notifier.stats().get("r").lastError).contains("cannot send e-mail through smtp://127.0.0.1:")
                .containsIgnoringCase("certif");
        assertThat(received).isEmpty();
    }
}
