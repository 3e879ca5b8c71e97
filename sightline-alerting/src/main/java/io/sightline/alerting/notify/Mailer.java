package io.sightline.alerting.notify;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Sends a notification as an e-mail over SMTP, as Alertmanager's e-mail integration does: EHLO with
 * {@code hello}; implicit TLS when the smarthost's port is 465, otherwise STARTTLS when the server offers
 * it (and a failure when it does not and {@code require_tls} is on, the default); AUTH with the user
 * name and password when a user name is set (never over a connection without TLS unless
 * {@code require_tls} is off). The message is {@code multipart/alternative}: plain text and HTML, both
 * listing the firing and the resolved alerts with their labels and annotations. Stateless.
 */
final class Mailer {
    private Mailer() {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /**
     * One alert of the message.
     *
     * @param endsAt when it resolved (ms), 0 while it fires
     */
    record Alert(boolean firing, Map<String, String> labels, Map<String, String> annotations, long startsAt, long endsAt) {}

    /**
     * What to send: the subject (Alertmanager's default title), the receiver, the alerts, and what the
     * config's templates gave (headers, bodies; null bodies get the default message).
     */
    record Message(String subject, String receiver, String externalUrl, List<Alert> alerts, Map<String, String> headers,
            String html, String text) {}

    /** A failed send: why, and whether trying again may help (a refused login or address will not). */
    static final class MailException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean retryable;

        MailException(String message, boolean retryable) {
            super(message, null, false, false);
            this.retryable = retryable;
        }

        boolean retryable() {
            return retryable;
        }
    }

    static void send(NotifierConfig.Email cfg, Message msg) throws MailException {
        boolean implicitTls = cfg.port() == 465;
        String proto = implicitTls ? "smtps" : "smtp";
        String p = "mail." + proto + ".";
        Properties props = new Properties();
        props.put(p + "host", cfg.host());
        props.put(p + "port", Integer.toString(cfg.port()));
        props.put(p + "localhost", cfg.hello());
        String timeout = Long.toString(cfg.timeout().toMillis());
        props.put(p + "connectiontimeout", timeout);
        props.put(p + "timeout", timeout);
        props.put(p + "writetimeout", timeout);
        if (!implicitTls) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", Boolean.toString(cfg.requireTls()));
        }
        if (cfg.tls() != null && !cfg.tls().equals(io.sightline.common.http.HttpClientConfig.Tls.NONE)) {
            // The config's roots and client certificate, for implicit TLS and STARTTLS alike.
            props.put(p + "ssl.socketFactory", io.sightline.common.http.TlsClients.sslContext(cfg.tls()).getSocketFactory());
        }
        boolean insecure = cfg.tls() != null && cfg.tls().insecureSkipVerify();
        if (insecure) {
            props.put(p + "ssl.trust", "*");
        } else {
            props.put(p + "ssl.checkserveridentity", "true");
        }
        boolean auth = !cfg.authUsername().isEmpty();
        props.put(p + "auth", Boolean.toString(auth));
        Session session = Session.getInstance(props);
        MimeMessage m;
        try {
            m = message(session, cfg, msg);
        } catch (AddressException e) {
            throw new MailException("invalid address in the e-mail config: " + e.getMessage(), false);
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new MailException("cannot build the e-mail: " + e.getMessage(), false);
        }
        try (Transport t = session.getTransport(proto)) {
            t.connect(cfg.host(), cfg.port(), auth ? cfg.authUsername() : null, auth ? cfg.authPassword() : null);
            t.sendMessage(m, m.getAllRecipients());
        } catch (AuthenticationFailedException e) {
            throw new MailException("SMTP authentication failed at " + cfg.url() + ": " + e.getMessage(), false);
        } catch (SendFailedException e) {
            throw new MailException("the SMTP server refused the message or its recipients: " + e.getMessage(), false);
        } catch (MessagingException e) {
            String why = e.getMessage();
            if (why != null && why.contains("STARTTLS is required")) {
                throw new MailException("require_tls is true (the default) but " + cfg.url()
                        + " does not offer STARTTLS; set require_tls: false to send without TLS", false);
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MailException("cannot send e-mail through " + cfg.url() + ": " + cause, true);
        }
    }

    private static MimeMessage message(Session session, NotifierConfig.Email cfg, Message msg)
            throws MessagingException, UnsupportedEncodingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(cfg.from(), true));
        m.setRecipients(RecipientType.TO, InternetAddress.parse(cfg.to(), true));
        m.setSubject(oneLine(msg.subject()), "UTF-8");
        m.setSentDate(new Date());
        m.setHeader("X-Mailer", "Sightline");
        for (Map.Entry<String, String> h : msg.headers().entrySet()) {
            // Header values come from templates over alert labels: a line break must not start a header.
            String v = oneLine(h.getValue());
            switch (h.getKey().toLowerCase(java.util.Locale.ROOT)) {
                case "subject" -> m.setSubject(v, "UTF-8");
                case "to" -> m.setRecipients(RecipientType.TO, InternetAddress.parse(v, true));
                case "from" -> m.setFrom(new InternetAddress(v, true));
                default -> m.setHeader(h.getKey(), MimeUtility.encodeText(v, "UTF-8", null));
            }
        }
        // As Alertmanager: custom bodies replace the defaults; with only one of them, only that part is sent.
        boolean custom = msg.html() != null || msg.text() != null;
        MimeMultipart alternative = new MimeMultipart("alternative");
        if (!custom || msg.text() != null) {
            MimeBodyPart text = new MimeBodyPart();
            text.setText(custom ? msg.text() : text(msg), "UTF-8", "plain");
            alternative.addBodyPart(text);
        }
        if (!custom || msg.html() != null) {
            MimeBodyPart html = new MimeBodyPart();
            html.setText(custom ? msg.html() : html(msg), "UTF-8", "html");
            alternative.addBodyPart(html);
        }
        m.setContent(alternative);
        m.saveChanges();
        return m;
    }

    /** Line breaks (and other control characters) as spaces: a header value is one line. */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < ' ' || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }

    static String text(Message msg) {
        StringBuilder sb = new StringBuilder(msg.subject()).append("\n");
        for (boolean firing : new boolean[] {true, false}) {
            List<Alert> part = msg.alerts().stream().filter(a -> a.firing() == firing).toList();
            if (part.isEmpty()) {
                continue;
            }
            sb.append('\n').append(part.size()).append(firing ? " firing" : " resolved")
                    .append(part.size() == 1 ? " alert:\n" : " alerts:\n");
            for (Alert a : part) {
                sb.append("\n- ").append(a.labels().getOrDefault("alertname", "")).append(' ').append(pairs(a.labels()))
                        .append('\n');
                a.annotations().forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
                sb.append("  since: ").append(TIME.format(Instant.ofEpochMilli(a.startsAt()))).append('\n');
                if (!firing) {
                    sb.append("  resolved: ").append(TIME.format(Instant.ofEpochMilli(a.endsAt()))).append('\n');
                }
            }
        }
        sb.append("\nSent by Sightline to receiver ").append(msg.receiver());
        if (!msg.externalUrl().isEmpty()) {
            sb.append(": ").append(msg.externalUrl());
        }
        return sb.append('\n').toString();
    }

    static String html(Message msg) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(msg.subject())).append("</title></head>")
                .append("<body style=\"font-family:sans-serif;font-size:14px;color:#222\">")
                .append("<h2 style=\"font-size:16px\">").append(escape(msg.subject())).append("</h2>");
        for (boolean firing : new boolean[] {true, false}) {
            List<Alert> part = msg.alerts().stream().filter(a -> a.firing() == firing).toList();
            if (part.isEmpty()) {
                continue;
            }
            sb.append("<h3 style=\"font-size:15px;color:").append(firing ? "#c0392b" : "#27ae60").append("\">")
                    .append(part.size()).append(firing ? " firing" : " resolved").append("</h3>");
            for (Alert a : part) {
                sb.append("<table style=\"border-collapse:collapse;margin-bottom:12px\">");
                sb.append("<tr><th colspan=\"2\" style=\"text-align:left;padding:4px 8px;background:#f2f2f2\">")
                        .append(escape(a.labels().getOrDefault("alertname", ""))).append("</th></tr>");
                for (Map.Entry<String, String> e : a.labels().entrySet()) {
                    row(sb, e.getKey(), e.getValue());
                }
                for (Map.Entry<String, String> e : a.annotations().entrySet()) {
                    row(sb, e.getKey(), e.getValue());
                }
                row(sb, "since", TIME.format(Instant.ofEpochMilli(a.startsAt())));
                if (!firing) {
                    row(sb, "resolved", TIME.format(Instant.ofEpochMilli(a.endsAt())));
                }
                sb.append("</table>");
            }
        }
        sb.append("<p style=\"color:#777;font-size:12px\">Sent by Sightline to receiver ").append(escape(msg.receiver()));
        if (!msg.externalUrl().isEmpty()) {
            sb.append(": <a href=\"").append(escape(msg.externalUrl())).append("\">").append(escape(msg.externalUrl()))
                    .append("</a>");
        }
        return sb.append("</p></body></html>").toString();
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("<tr><td style=\"padding:2px 8px;color:#555\">").append(escape(k))
                .append("</td><td style=\"padding:2px 8px\">").append(escape(v)).append("</td></tr>");
    }

    private static String pairs(Map<String, String> labels) {
        StringBuilder sb = new StringBuilder("(");
        labels.forEach((k, v) -> {
            if (!k.equals("alertname")) {
                sb.append(sb.length() > 1 ? ", " : "").append(k).append("=").append(v);
            }
        });
        return sb.append(')').toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
