package io.sightline.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.sightline.common.Labels;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The e-mail receiver against GreenMail, a real SMTP server on a local port. */
class EmailNotifierTest {
    private GreenMail smtp;
    private Notifier notifier;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        smtp.setUser("alerts@example.org", "sightline", "s3cret");
    }

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
        }
        smtp.stop();
    }

    private int port() {
        return smtp.getSmtp().getPort();
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

    private static Notifier.AlertEvent alert(long now, boolean firing, String... labels) {
        return new Notifier.AlertEvent(Labels.of(labels), Map.of("summary", "queue <orders> is long"), now - 60_000,
                firing ? now + 240_000 : now - 1, "/graph?g0.expr=up");
    }

    @Test
    void firingAndResolved_arriveAsMails_withAuth() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                global:
                  smtp_smarthost: '127.0.0.1:%d'
                  smtp_from: 'Sightline <alerts@example.org>'
                  smtp_auth_username: sightline
                  smtp_auth_password: s3cret
                  smtp_require_tls: false
                route: {receiver: oncall, group_by: [alertname], group_wait: 50ms, group_interval: 300ms}
                receivers:
                  - name: oncall
                    email_configs:
                      - to: 'oncall@example.org, lead@example.org'
                        send_resolved: true
                        headers: {X-Team: growth}
                """.formatted(port())), "http://sightline:8321", System::currentTimeMillis);
        long now = System.currentTimeMillis();
        notifier.receive(List.of(alert(now, true, "alertname", "QueueTooLong", "queue", "orders", "severity", "page")));
        await("the firing mail", () -> smtp.getReceivedMessages().length == 2); // one copy per recipient
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[FIRING:1] QueueTooLong (orders page)");
        assertThat(m.getFrom()[0].toString()).isEqualTo("Sightline <alerts@example.org>");
        assertThat(m.getAllRecipients()).extracting(Object::toString)
                .containsExactly("oncall@example.org", "lead@example.org");
        assertThat(m.getHeader("X-Team")).containsExactly("growth");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getContentType()).startsWith("multipart/alternative");
        String text = GreenMailUtil.getBody(parts.getBodyPart(0));
        String html = GreenMailUtil.getBody(parts.getBodyPart(1));
        assertThat(text).contains("1 firing alert:").contains("QueueTooLong (queue=orders, severity=page)")
                .contains("summary: queue <orders> is long").contains("Sent by Sightline to receiver oncall");
        assertThat(html).contains("queue &lt;orders&gt; is long").doesNotContain("<orders>");

        notifier.receive(List.of(alert(System.currentTimeMillis(), false, "alertname", "QueueTooLong", "queue", "orders",
                "severity", "page")));
        await("the resolved mail", () -> smtp.getReceivedMessages().length == 4);
        List<String> subjects = new java.util.ArrayList<>();
        for (MimeMessage x : smtp.getReceivedMessages()) {
            subjects.add(x.getSubject());
        }
        assertThat(subjects).containsExactlyInAnyOrder("[FIRING:1] QueueTooLong (orders page)",
                "[FIRING:1] QueueTooLong (orders page)", "[RESOLVED] QueueTooLong (orders page)",
                "[RESOLVED] QueueTooLong (orders page)");
        await("both deliveries counted", () -> notifier.stats().get("oncall").sent.get() == 2);
        assertThat(notifier.stats().get("oncall").failed.get()).isZero();
    }

    @Test
    void templatedSubjectAndBody_replaceTheDefaults() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_by: [alertname], group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    email_configs:
                      - to: a@example.org
                        from: s@example.org
                        smarthost: '127.0.0.1:%d'
                        require_tls: false
                        headers: {Subject: '{{ .Alerts.Firing | len }} x {{ .GroupLabels.alertname }} for {{ .Receiver }}'}
                        text: '{{ range .Alerts }}{{ .Labels.queue }}: {{ .Annotations.summary }}{{ end }}'
                """.formatted(port())), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "QueueTooLong", "queue", "orders")));
        await("the mail", () -> smtp.getReceivedMessages().length == 1);
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("1 x QueueTooLong for r");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertThat(parts.getCount()).as("only the text part: no html template given").isEqualTo(1);
        assertThat(GreenMailUtil.getBody(parts.getBodyPart(0))).isEqualTo("orders: queue <orders> is long");
    }

    @Test
    void headerValues_areOneLine_soLabelsCannotAddHeaders() {
        assertThat(Mailer.oneLine("disk full\r\nBcc: someone@example.org")).isEqualTo("disk full  Bcc: someone@example.org");
    }

    @Test
    void wrongPassword_failsWithoutRetrying_andIsCounted() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    email_configs:
                      - {to: a@example.org, from: s@example.org, smarthost: '127.0.0.1:%d', require_tls: false,
                         auth_username: sightline, auth_password: wrong}
                """.formatted(port())), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "X")));
        await("the failure", () -> notifier.stats().containsKey("r") && notifier.stats().get("r").failed.get() == 1);
        Thread.sleep(1500); // a retry would come after 1 s
        assertThat(notifier.stats().get("r").failed.get()).isEqualTo(1);
        assertThat(notifier.stats().get("r").lastError).startsWith("SMTP authentication failed at smtp://127.0.0.1:");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void requireTls_againstAServerWithoutStarttls_saysSo() throws Exception {
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    email_configs: [{to: a@example.org, from: s@example.org, smarthost: '127.0.0.1:%d'}]
                """.formatted(port())), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "X")));
        await("the failure", () -> notifier.stats().containsKey("r") && notifier.stats().get("r").failed.get() == 1);
        assertThat(notifier.stats().get("r").lastError).isEqualTo("require_tls is true (the default) but smtp://127.0.0.1:"
                + port() + " does not offer STARTTLS; set require_tls: false to send without TLS");
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void unreachableServer_isRetried() throws Exception {
        int dead = port();
        smtp.stop();
        notifier = new Notifier(NotifierConfigParser.parse("am.yml", """
                route: {receiver: r, group_wait: 50ms, group_interval: 1m}
                receivers:
                  - name: r
                    email_configs: [{to: a@example.org, from: s@example.org, smarthost: '127.0.0.1:%d', require_tls: false}]
                """.formatted(dead)), "", System::currentTimeMillis);
        notifier.receive(List.of(alert(System.currentTimeMillis(), true, "alertname", "X")));
        await("a retry", () -> notifier.stats().containsKey("r") && notifier.stats().get("r").failed.get() >= 2);
        assertThat(notifier.stats().get("r").lastError).startsWith("cannot send e-mail through smtp://127.0.0.1:" + dead);
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    @Test
    void badConfigs_areRefusedWithTheReason() {
        assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, email_configs: [{to: a@example.org}]}]
                """)).hasMessageContaining("no global SMTP from set (smtp_from) and no from in the email config");
        assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, email_configs: [{to: a@example.org, from: b@example.org, smarthost: nohost}]}]
                """)).hasMessageContaining("smarthost \"nohost\" is not host:port");
        assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, email_configs: [{from: b@example.org, smarthost: 'h:25'}]}]
                """)).hasMessageContaining("missing to address in email config");
        assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, email_configs: [{to: a, from: b, smarthost: 'h:25', html: '{{ humanise 1 }}'}]}]
                """)).hasMessageContaining("invalid template in email html: template: email html:1: function \"humanise\" not defined");
        assertThatThrownBy(() -> NotifierConfigParser.parse("am.yml", """
                route: {receiver: r}
                receivers: [{name: r, email_configs: [{to: a, from: b, smarthost: 'h:25', require_tls: maybe}]}]
                """)).hasMessageContaining("require_tls must be true or false, got \"maybe\"");
    }
}
