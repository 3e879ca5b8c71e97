package io.sightline.alerting.notify;

import io.sightline.common.LabelMatcher;
import java.time.Duration;
import java.util.List;

/**
 * The notifier's configuration, in Alertmanager's format ({@code route}, {@code receivers},
 * {@code inhibit_rules}, {@code global.resolve_timeout}), as {@link NotifierConfigParser} reads it.
 *
 * @param original the configuration as YAML text, as Alertmanager's status API shows it
 */
public record NotifierConfig(Duration resolveTimeout, Route route, List<Receiver> receivers, List<InhibitRule> inhibitRules,
        java.util.Map<String, List<TimeInterval>> timeIntervals,
        io.sightline.alerting.template.NotificationTemplates templates, String original) {

    public NotifierConfig(Duration resolveTimeout, Route route, List<Receiver> receivers, List<InhibitRule> inhibitRules) {
        this(resolveTimeout, route, receivers, inhibitRules, java.util.Map.of(),
                io.sightline.alerting.template.NotificationTemplates.defaults(), "");
    }

    /**
     * A node of the routing tree. Children inherit unset settings from their parent.
     *
     * @param groupBy label names to group by; {@code groupByAll} when it is {@code ['...']}
     * @param cont {@code continue}: after this node matches, siblings are tried too
     * @param muteTimeIntervals names of time intervals during which this route sends nothing (not inherited)
     * @param activeTimeIntervals when not empty, the route sends only during these (not inherited)
     */
    public record Route(String receiver, List<String> groupBy, boolean groupByAll, boolean cont, List<LabelMatcher> matchers,
            Duration groupWait, Duration groupInterval, Duration repeatInterval, List<Route> routes,
            List<String> muteTimeIntervals, List<String> activeTimeIntervals) {
        public Route(String receiver, List<String> groupBy, boolean groupByAll, boolean cont, List<LabelMatcher> matchers,
                Duration groupWait, Duration groupInterval, Duration repeatInterval, List<Route> routes) {
            this(receiver, groupBy, groupByAll, cont, matchers, groupWait, groupInterval, repeatInterval, routes, List.of(),
                    List.of());
        }
    }

    public record Receiver(String name, List<Integration> integrations) {
        public Receiver {
            integrations = List.copyOf(integrations);
        }

        public List<Webhook> webhooks() {
            return integrations.stream().filter(Webhook.class::isInstance).map(Webhook.class::cast).toList();
        }
    }

    /** One way a receiver is notified: where the message goes and whether resolutions are sent. */
    public sealed interface Integration permits Webhook, Slack, PagerDuty, Email {
        String url();

        boolean sendResolved();

        Duration timeout();
    }

    /**
     * A webhook: Alertmanager's JSON payload (version 4) POSTed to {@code url}.
     *
     * @param maxAlerts at most this many alerts per message (0: all); the rest are counted in {@code truncatedAlerts}
     */
    public record Webhook(String url, boolean sendResolved, int maxAlerts, Duration timeout) implements Integration {}

    /**
     * A Slack incoming webhook ({@code api_url}), with Alertmanager's default title and text.
     *
     * @param templates templated attachment fields ({@code title}, {@code title_link}, {@code pretext},
     *     {@code text}, {@code fallback}, {@code color}) replacing the defaults
     */
    public record Slack(String url, String channel, String username, boolean sendResolved, Duration timeout,
            java.util.Map<String, String> templates) implements Integration {
        public Slack(String url, String channel, String username, boolean sendResolved, Duration timeout) {
            this(url, channel, username, sendResolved, timeout, java.util.Map.of());
        }
    }

    /**
     * PagerDuty Events API v2: trigger while the group fires, resolve when it all resolved.
     *
     * @param description a template for the event's summary, or null for the default title
     */
    public record PagerDuty(String url, String routingKey, String severity, boolean sendResolved, Duration timeout,
            String description) implements Integration {
        public PagerDuty(String url, String routingKey, String severity, boolean sendResolved, Duration timeout) {
            this(url, routingKey, severity, sendResolved, timeout, null);
        }
    }

    /**
     * E-mail over SMTP, with Alertmanager's settings and defaults: STARTTLS required unless
     * {@code requireTls} is false, implicit TLS on port 465, AUTH when a user name is set.
     *
     * @param to recipients, comma-separated as in Alertmanager
     * @param hello the name given in EHLO
     * @param headers extra or replaced headers ({@code Subject}, {@code To}, {@code From}...), templates
     * @param html a template for the HTML body, or null for Sightline's default message
     * @param text a template for the plain-text body, or null for Sightline's default message
     */
    public record Email(String to, String from, String host, int port, String hello, String authUsername,
            String authPassword, String authIdentity, boolean requireTls, io.sightline.common.http.HttpClientConfig.Tls tls,
            java.util.Map<String, String> headers, boolean sendResolved, Duration timeout, String html, String text)
            implements Integration {
        @Override
        public String url() {
            return "smtp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        @Override
        public String toString() {
            return "Email[to=" + to + ", from=" + from + ", smarthost=" + url() + ", auth_username=" + authUsername + "]";
        }
    }

    /** Mutes alerts matching {@code target} while an alert matching {@code source} fires with the same {@code equal} labels. */
    public record InhibitRule(List<LabelMatcher> source, List<LabelMatcher> target, List<String> equal) {}

    /** No routes, no receivers: alerts are evaluated and shown, not sent. */
    public static NotifierConfig none() {
        return new NotifierConfig(Duration.ofMinutes(5), new Route("", List.of(), false, false, List.of(), Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofHours(4), List.of()), List.of(), List.of());
    }
}
