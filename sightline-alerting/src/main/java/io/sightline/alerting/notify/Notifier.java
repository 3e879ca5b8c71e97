package io.sightline.alerting.notify;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alertmanager's dispatch in process: alerts are routed through the route tree (first matching child,
 * or several with {@code continue}; the deepest match wins), grouped per route by the
 * {@code group_by} labels, and each group is notified {@code group_wait} after it appears, then at most
 * every {@code group_interval} when its alerts changed, and every {@code repeat_interval} when they did
 * not. Per receiver integration, a notification log decides as Alertmanager's dedup stage does: notify
 * new firing alerts at once, resolved ones if {@code send_resolved}, the all-clear when every alert
 * resolved, nothing else before the repeat interval. Inhibit rules mute target alerts while a matching
 * source alert fires. Deliveries are asynchronous and retried with exponential backoff until the
 * group's next turn; a failing receiver never delays another. Thread-safe.
 */
public final class Notifier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** An alert as the rule evaluation reports it: resolved when {@code endsAt} has passed. */
    public record AlertEvent(Labels labels, Map<String, String> annotations, long startsAt, long endsAt, String generatorUrl) {}

    /** Delivery figures per receiver, for self-metrics and the API. */
    public static final class Stats {
        public final AtomicLong sent = new AtomicLong();
        public final AtomicLong failed = new AtomicLong();
        /** Why the last attempt failed; empty once one succeeds again. */
        public volatile String lastError = "";
        /** When the last attempt failed or succeeded (ms), 0 before any. */
        public volatile long lastFailureAt;
        public volatile long lastSuccessAt;
    }

    private final String externalUrl;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    /** Made when the first webhook is sent: a JDK client loads the default trust store as it is built. */
    private volatile HttpClient http;
    private final Object httpLock = new Object();

    private HttpClient http() {
        HttpClient c = http;
        if (c == null) {
            synchronized (httpLock) {
                if (http == null) {
                    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(10)).executor(scheduler).build();
                }
                c = http;
            }
        }
        return c;
    }
    private volatile NotifierConfig config;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** Every alert not yet resolved for long, for inhibition. */
    private final Map<Labels, AlertEvent> alerts = new HashMap<>();
    private final Map<String, Stats> stats = new ConcurrentHashMap<>();
    private boolean closed;
    private volatile java.util.function.Predicate<Labels> silenced = l -> false;

    public Notifier(NotifierConfig config, String externalUrl, LongSupplier clock) {
        this.config = config;
        this.externalUrl = externalUrl;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "notifier");
            t.setDaemon(true);
            return t;
        });
        // SMTP blocks: e-mails go out on threads of their own (at most 4 at once), never on the scheduler.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(4, 4, 30,
                TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "notifier-mail");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.mail = pool;
    }

    private final java.util.concurrent.ExecutorService mail;

    /** Replaces the configuration; groups are rebuilt as alerts arrive (as Alertmanager does on reload). */
    public synchronized void reload(NotifierConfig next) {
        this.config = next;
        for (Group g : groups.values()) {
            g.cancel();
        }
        groups.clear();
        List<AlertEvent> all = new ArrayList<>(alerts.values());
        alerts.clear();
        receive(all);
    }

    /** The configuration as YAML text. */
    public String originalConfig() {
        return config.original();
    }

    /**
     * An aggregation group as Alertmanager's {@code GET /api/v2/alerts/groups} shows it.
     *
     * @param alerts the labels of its alerts that have not resolved
     */
    public record GroupView(Labels labels, String receiver, List<Labels> alerts) {}

    /** The aggregation groups with alerts that have not resolved. */
    public synchronized List<GroupView> groups() {
        long now = clock.getAsLong();
        List<GroupView> out = new ArrayList<>();
        for (Group g : groups.values()) {
            List<Labels> firing = new ArrayList<>();
            g.alerts.values().forEach(a -> {
                if (a.endsAt() > now) {
                    firing.add(a.labels());
                }
            });
            if (!firing.isEmpty()) {
                out.add(new GroupView(g.groupLabels, g.route.receiver(), firing));
            }
        }
        return out;
    }

    /** The receivers configured, by name. */
    public List<String> receiverNames() {
        return config.receivers().stream().map(NotifierConfig.Receiver::name).toList();
    }

    /** The receivers configured. */
    public List<NotifierConfig.Receiver> receivers() {
        return config.receivers();
    }

    /** How long an alert received without an end is taken to fire ({@code global.resolve_timeout}). */
    public Duration resolveTimeout() {
        return config.resolveTimeout();
    }

    /** What mutes alerts besides inhibition (the silences). */
    public void silencedBy(java.util.function.Predicate<Labels> silenced) {
        this.silenced = silenced;
    }

    public Map<String, Stats> stats() {
        return stats;
    }

    /** Takes the current state of alerts (firing ones and recently resolved ones). */
    public synchronized void receive(List<AlertEvent> events) {
        if (closed) {
            return;
        }
        long now = clock.getAsLong();
        for (AlertEvent e : events) {
            AlertEvent prev = alerts.get(e.labels());
            AlertEvent merged = prev == null ? e
                    : new AlertEvent(e.labels(), e.annotations(), Math.min(prev.startsAt(), e.startsAt()), e.endsAt(), e.generatorUrl());
            alerts.put(e.labels(), merged);
            updated.put(e.labels(), now);
            for (RouteMatch m : route(config.route(), "{}", "0", e.labels())) {
                Labels groupLabels = groupLabels(m.route(), e.labels());
                String key = m.key() + ":" + groupLabels;
                String id = m.path() + "|" + key;
                Group g = groups.get(id);
                if (g == null) {
                    g = new Group(id, key, m.route(), groupLabels);
                    groups.put(id, g);
                    g.schedule(m.route().groupWait().toMillis());
                }
                g.alerts.put(e.labels(), merged);
            }
        }
        // Forget alerts resolved for longer than any group would still report them.
        alerts.values().removeIf(a -> a.endsAt() < now - Duration.ofHours(1).toMillis());
        updated.keySet().retainAll(alerts.keySet());
    }

    /** A matched route: its node, its key as Alertmanager writes it, and its position in the tree (unique). */
    private record RouteMatch(NotifierConfig.Route route, String key, String path) {}

    /** Alertmanager's routing: matching children in order (all with continue), the node itself if none match. */
    private static List<RouteMatch> route(NotifierConfig.Route r, String key, String path, Labels labels) {
        List<RouteMatch> out = new ArrayList<>();
        for (int i = 0; i < r.routes().size(); i++) {
            NotifierConfig.Route child = r.routes().get(i);
            if (!matches(child.matchers(), labels)) {
                continue;
            }
            out.addAll(route(child, key + "/" + matcherKey(child.matchers()), path + "." + i, labels));
            if (!child.cont()) {
                break;
            }
        }
        if (out.isEmpty()) {
            out.add(new RouteMatch(r, key, path));
        }
        return out;
    }

    private static String matcherKey(List<LabelMatcher> ms) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ms.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ms.get(i));
        }
        return sb.append('}').toString();
    }

    private static boolean matches(List<LabelMatcher> ms, Labels labels) {
        for (LabelMatcher m : ms) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    private static Labels groupLabels(NotifierConfig.Route r, Labels labels) {
        if (r.groupByAll()) {
            return labels;
        }
        Labels.Builder b = Labels.builder();
        for (String name : r.groupBy()) {
            String v = labels.get(name);
            if (v != null && !v.isEmpty()) {
                b.set(name, v);
            }
        }
        return b.build();
    }

    /**
     * An alert as Alertmanager's {@code GET /api/v2/alerts} shows it.
     *
     * @param receivers the receivers its routes lead to
     * @param inhibitedBy fingerprints (16 hex digits) of the firing alerts that inhibit it
     * @param updatedAt when it was last received (ms)
     */
    public record AlertStatus(AlertEvent alert, List<String> receivers, boolean silenced, List<String> inhibitedBy,
            long updatedAt) {}

    /** The alerts that have not resolved, with their receivers and whether they are suppressed. */
    public synchronized List<AlertStatus> current() {
        long now = clock.getAsLong();
        Map<Labels, List<String>> inhibitions = inhibitions(now);
        List<AlertStatus> out = new ArrayList<>();
        for (AlertEvent a : alerts.values()) {
            if (a.endsAt() <= now) {
                continue;
            }
            List<String> receivers = new ArrayList<>();
            for (RouteMatch m : route(config.route(), "{}", "0", a.labels())) {
                if (!receivers.contains(m.route().receiver())) {
                    receivers.add(m.route().receiver());
                }
            }
            out.add(new AlertStatus(a, List.copyOf(receivers), silenced.test(a.labels()),
                    inhibitions.getOrDefault(a.labels(), List.of()), updated.getOrDefault(a.labels(), now)));
        }
        return out;
    }

    private final Map<Labels, Long> updated = new HashMap<>();

    /**
     * For every inhibited alert, the fingerprints of the firing alerts that inhibit it. Per rule, the
     * firing sources are indexed by their values of the {@code equal} labels, so this is linear in the
     * alerts rather than quadratic.
     */
    private synchronized Map<Labels, List<String>> inhibitions(long now) {
        Map<Labels, List<String>> out = new HashMap<>();
        for (NotifierConfig.InhibitRule rule : config.inhibitRules()) {
            Map<List<String>, List<AlertEvent>> sources = new HashMap<>();
            for (AlertEvent src : alerts.values()) {
                // An alert matching both sides inhibits nothing (Alertmanager's rule).
                if (src.endsAt() > now && matches(rule.source(), src.labels()) && !matches(rule.target(), src.labels())) {
                    sources.computeIfAbsent(equalValues(rule, src.labels()), k -> new ArrayList<>()).add(src);
                }
            }
            if (sources.isEmpty()) {
                continue;
            }
            for (AlertEvent target : alerts.values()) {
                if (!matches(rule.target(), target.labels())) {
                    continue;
                }
                for (AlertEvent src : sources.getOrDefault(equalValues(rule, target.labels()), List.of())) {
                    if (!src.labels().equals(target.labels())) {
                        List<String> fps = out.computeIfAbsent(target.labels(), k -> new ArrayList<>());
                        String fp = String.format("%016x", fingerprint(src.labels()));
                        if (!fps.contains(fp)) {
                            fps.add(fp);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<String> equalValues(NotifierConfig.InhibitRule rule, Labels labels) {
        List<String> values = new ArrayList<>(rule.equal().size());
        for (String l : rule.equal()) {
            String v = labels.get(l);
            values.add(v == null ? "" : v);
        }
        return values;
    }

    /** The notification log of one integration of one group. */
    private record LogEntry(Set<Labels> firing, Set<Labels> resolved, long at) {}

    /** One aggregation group: its alerts, its timer and its notification log per integration. */
    private final class Group {
        final String id;
        final String key;
        final NotifierConfig.Route route;
        final Labels groupLabels;
        final Map<Labels, AlertEvent> alerts = new LinkedHashMap<>();
        final Map<Integer, LogEntry> nflog = new HashMap<>();
        ScheduledFuture<?> timer;

        Group(String id, String key, NotifierConfig.Route route, Labels groupLabels) {
            this.id = id;
            this.key = key;
            this.route = route;
            this.groupLabels = groupLabels;
        }

        void schedule(long delayMs) {
            timer = scheduler.schedule(() -> {
                try {
                    flush();
                } catch (RuntimeException e) {
                    Notifier.log.atError().setCause(e).addKeyValue("group", key).log("notification group flush failed");
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        }

        void cancel() {
            if (timer != null) {
                timer.cancel(false);
            }
        }

        void flush() {
            List<AlertEvent> snapshot;
            long now = clock.getAsLong();
            synchronized (Notifier.this) {
                if (closed || groups.get(id) != this) {
                    return;
                }
                snapshot = new ArrayList<>(alerts.values());
            }
            List<AlertEvent> visible = new ArrayList<>();
            Map<Labels, List<String>> inhibited = inhibitions(now);
            for (AlertEvent a : snapshot) {
                if (!inhibited.containsKey(a.labels()) && !silenced.test(a.labels())) {
                    visible.add(a);
                }
            }
            Set<Labels> firing = new HashSet<>();
            Set<Labels> resolved = new HashSet<>();
            for (AlertEvent a : visible) {
                (a.endsAt() <= now ? resolved : firing).add(a.labels());
            }
            NotifierConfig.Receiver receiver = receiver(route.receiver());
            if (receiver != null && muted(route, now)) {
                // As Alertmanager: nothing is sent and nothing logged as sent, so the group notifies once
                // the mute ends; alerts that resolve meanwhile are dropped below without a notification.
                receiver = null;
                mutedFlushes.incrementAndGet();
            }
            if (receiver != null) {
                for (int i = 0; i < receiver.integrations().size(); i++) {
                    NotifierConfig.Integration hook = receiver.integrations().get(i);
                    LogEntry entry;
                    synchronized (Notifier.this) {
                        entry = nflog.get(i);
                    }
                    if (!needsUpdate(entry, firing, resolved, hook.sendResolved(), now)) {
                        continue;
                    }
                    List<AlertEvent> payload = new ArrayList<>();
                    for (AlertEvent a : visible) {
                        if (a.endsAt() > now || hook.sendResolved()) {
                            payload.add(a);
                        }
                    }
                    LogEntry next = new LogEntry(Set.copyOf(firing), Set.copyOf(resolved), now);
                    if (payload.isEmpty()) {
                        synchronized (Notifier.this) {
                            nflog.put(i, next);
                        }
                        continue;
                    }
                    int index = i;
                    Object body;
                    try {
                        body = body(hook, receiver.name(), this, payload, now);
                    } catch (io.sightline.alerting.template.TemplateException e) {
                        // As Alertmanager: a template that fails makes the notification fail (and it is counted).
                        Stats st = stats.computeIfAbsent(receiver.name(), k -> new Stats());
                        st.failed.incrementAndGet();
                        st.lastError = e.getMessage();
                        st.lastFailureAt = now;
                        log.atError().addKeyValue("receiver", receiver.name()).addKeyValue("reason", e.getMessage())
                                .log("notification template failed");
                        continue;
                    }
                    deliver(receiver.name(), hook, body, now + route.groupInterval().toMillis(), 0, ok -> {
                        if (ok) {
                            synchronized (Notifier.this) {
                                nflog.put(index, next);
                            }
                        }
                    });
                }
            }
            synchronized (Notifier.this) {
                // Resolved alerts are dropped once reported (or when nobody wants them); an empty group ends.
                alerts.values().removeIf(a -> a.endsAt() <= now && resolved.contains(a.labels()));
                if (alerts.isEmpty()) {
                    groups.remove(id);
                    return;
                }
                if (!closed) {
                    schedule(route.groupInterval().toMillis());
                }
            }
        }

        boolean needsUpdate(LogEntry entry, Set<Labels> firing, Set<Labels> resolved, boolean sendResolved, long now) {
            if (entry == null) {
                return !firing.isEmpty();
            }
            if (!entry.firing().containsAll(firing)) {
                return true;
            }
            if (firing.isEmpty()) {
                return !entry.firing().isEmpty();
            }
            if (sendResolved && !entry.resolved().containsAll(resolved)) {
                return true;
            }
            return entry.at() <= now - route.repeatInterval().toMillis();
        }
    }

    /** During one of the route's mute time intervals, or outside all its active ones (when it has some). */
    private boolean muted(NotifierConfig.Route r, long now) {
        if (r.muteTimeIntervals().isEmpty() && r.activeTimeIntervals().isEmpty()) {
            return false;
        }
        java.time.Instant t = java.time.Instant.ofEpochMilli(now);
        Map<String, List<TimeInterval>> defs = config.timeIntervals();
        for (String name : r.muteTimeIntervals()) {
            if (TimeInterval.anyContains(defs.getOrDefault(name, List.of()), t)) {
                return true;
            }
        }
        if (r.activeTimeIntervals().isEmpty()) {
            return false;
        }
        for (String name : r.activeTimeIntervals()) {
            if (TimeInterval.anyContains(defs.getOrDefault(name, List.of()), t)) {
                return false;
            }
        }
        return true;
    }

    private final java.util.concurrent.atomic.AtomicLong mutedFlushes = new java.util.concurrent.atomic.AtomicLong();

    /** Group flushes that sent nothing because their route was muted by its time intervals. */
    public long mutedFlushes() {
        return mutedFlushes.get();
    }

    private NotifierConfig.Receiver receiver(String name) {
        for (NotifierConfig.Receiver r : config.receivers()) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** How one attempt went: {@code why} is null when it was delivered. */
    private record Attempt(String why, boolean retryable) {}

    /** POSTs the JSON body, or sends the e-mail. */
    private java.util.concurrent.CompletableFuture<Attempt> attempt(NotifierConfig.Integration hook, Object body) {
        if (hook instanceof NotifierConfig.Email e) {
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    Mailer.send(e, (Mailer.Message) body);
                    return new Attempt(null, false);
                } catch (Mailer.MailException x) {
                    return new Attempt(x.getMessage(), x.retryable());
                }
            }, mail);
        }
        HttpRequest req = HttpRequest.newBuilder(URI.create(hook.url())).timeout(hook.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "Sightline")
                .POST(HttpRequest.BodyPublishers.ofString((String) body)).build();
        return http().sendAsync(req, HttpResponse.BodyHandlers.discarding()).handle((resp, err) -> {
            if (err == null && resp.statusCode() / 100 == 2) {
                return new Attempt(null, false);
            }
            String why = err != null ? String.valueOf(err.getCause() != null ? err.getCause() : err)
                    : "unexpected status code " + resp.statusCode();
            return new Attempt(why, err != null || resp.statusCode() / 100 == 5 || resp.statusCode() == 429);
        });
    }

    /** Delivers {@code body}; on failure retries with backoff (1 s, 2 s, 4 s... 30 s) until {@code deadline}. */
    private void deliver(String receiver, NotifierConfig.Integration hook, Object body, long deadline, int attempt,
            java.util.function.Consumer<Boolean> done) {
        Stats st = stats.computeIfAbsent(receiver, k -> new Stats());
        attempt(hook, body).whenComplete((result, err) -> {
            if (err == null && result.why() == null) {
                st.sent.incrementAndGet();
                st.lastError = "";
                st.lastSuccessAt = clock.getAsLong();
                done.accept(true);
                return;
            }
            st.failed.incrementAndGet();
            String why = err != null ? String.valueOf(err) : result.why();
            st.lastError = why;
            st.lastFailureAt = clock.getAsLong();
            boolean retryable = err == null && result.retryable();
            long backoff = Math.min(30_000L, 1000L << Math.min(attempt, 5));
            if (retryable && clock.getAsLong() + backoff < deadline && !closed) {
                log.atWarn().addKeyValue("receiver", receiver).addKeyValue("attempt", attempt + 1).addKeyValue("reason", why)
                        .log("notification failed; retrying");
                scheduler.schedule(() -> deliver(receiver, hook, body, deadline, attempt + 1, done), backoff, TimeUnit.MILLISECONDS);
            } else {
                log.atError().addKeyValue("receiver", receiver).addKeyValue("reason", why).log("notification failed");
                done.accept(false);
            }
        });
    }

    /** The data notification templates see for this notification. */
    private Object templateData(String receiver, Group g, List<AlertEvent> alerts, long now) {
        List<io.sightline.alerting.template.NotificationData.Alert> list = new ArrayList<>();
        for (AlertEvent a : alerts) {
            list.add(new io.sightline.alerting.template.NotificationData.Alert(a.endsAt() > now, toMap(a.labels()),
                    new TreeMap<>(a.annotations()), a.startsAt(), a.endsAt() > now ? 0 : a.endsAt(), a.generatorUrl(),
                    String.format("%016x", fingerprint(a.labels()))));
        }
        return io.sightline.alerting.template.NotificationData.of(receiver, list, toMap(g.groupLabels), externalUrl);
    }

    /** The JSON to POST, or for e-mail the message; custom fields are expanded as notification templates. */
    private Object body(NotifierConfig.Integration hook, String receiver, Group g, List<AlertEvent> alerts, long now)
            throws io.sightline.alerting.template.TemplateException {
        if (hook instanceof NotifierConfig.Webhook w) {
            return webhookPayload(receiver, g, alerts, now, w.maxAlerts());
        }
        long firing = alerts.stream().filter(a -> a.endsAt() > now).count();
        String title = title(g, alerts, firing);
        io.sightline.alerting.template.NotificationTemplates tmpl = config.templates();
        if (hook instanceof NotifierConfig.Email em) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            String html = null;
            String text = null;
            if (!em.headers().isEmpty() || em.html() != null || em.text() != null) {
                Object data = templateData(receiver, g, alerts, now);
                for (Map.Entry<String, String> h : em.headers().entrySet()) {
                    headers.put(h.getKey(), tmpl.render("email header " + h.getKey(), h.getValue(), data, externalUrl));
                }
                html = em.html() == null ? null : tmpl.render("email html", em.html(), data, externalUrl);
                text = em.text() == null ? null : tmpl.render("email text", em.text(), data, externalUrl);
            }
            List<Mailer.Alert> list = new ArrayList<>();
            for (AlertEvent a : alerts) {
                list.add(new Mailer.Alert(a.endsAt() > now, toMap(a.labels()), new TreeMap<>(a.annotations()),
                        a.startsAt(), a.endsAt() > now ? 0 : a.endsAt()));
            }
            return new Mailer.Message(title, receiver, externalUrl, list, headers, html, text);
        }
        if (hook instanceof NotifierConfig.Slack sl) {
            // Alertmanager's defaults, each replaced by the config's template when it gives one.
            Map<String, String> f = new TreeMap<>();
            Object data = sl.templates().isEmpty() ? null : templateData(receiver, g, alerts, now);
            for (Map.Entry<String, String> e : sl.templates().entrySet()) {
                f.put(e.getKey(), tmpl.render("slack " + e.getKey(), e.getValue(), data, externalUrl));
            }
            StringBuilder text = new StringBuilder();
            for (AlertEvent a : alerts) {
                String summary = a.annotations().getOrDefault("summary", a.annotations().getOrDefault("description", ""));
                text.append(a.endsAt() > now ? "" : "[RESOLVED] ").append(summary.isEmpty() ? a.labels().toString() : summary)
                        .append('\n');
            }
            StringBuilder sb = new StringBuilder("{");
            if (!sl.channel().isEmpty()) {
                sb.append("\"channel\":").append(quote(sl.channel())).append(',');
            }
            if (!sl.username().isEmpty()) {
                sb.append("\"username\":").append(quote(sl.username())).append(',');
            }
            sb.append("\"attachments\":[{\"color\":").append(quote(f.getOrDefault("color", firing > 0 ? "danger" : "good")))
                    .append(",\"title\":").append(quote(f.getOrDefault("title", title)))
                    .append(",\"title_link\":").append(quote(f.getOrDefault("title_link", externalUrl)));
            if (f.containsKey("pretext")) {
                sb.append(",\"pretext\":").append(quote(f.get("pretext")));
            }
            return sb.append(",\"fallback\":").append(quote(f.getOrDefault("fallback", f.getOrDefault("title", title))))
                    .append(",\"text\":").append(quote(f.getOrDefault("text", text.toString().strip()))).append("}]}").toString();
        }
        if (hook instanceof NotifierConfig.PagerDuty pdc && pdc.description() != null) {
            title = tmpl.render("pagerduty description", pdc.description(), templateData(receiver, g, alerts, now),
                    externalUrl);
        }
        NotifierConfig.PagerDuty pd = (NotifierConfig.PagerDuty) hook;
        Map<String, String> details = new TreeMap<>();
        details.put("firing", Long.toString(firing));
        details.put("resolved", Long.toString(alerts.size() - firing));
        details.put("group", g.key);
        return "{\"routing_key\":" + quote(pd.routingKey()) + ",\"event_action\":\"" + (firing > 0 ? "trigger" : "resolve")
                + "\",\"dedup_key\":" + quote(sha256(g.key)) + ",\"payload\":{\"summary\":" + quote(title.length() > 1024
                        ? title.substring(0, 1024) : title)
                + ",\"source\":\"Sightline\",\"severity\":" + quote(pd.severity()) + ",\"custom_details\":" + object(details)
                + "},\"client\":\"Sightline\",\"client_url\":" + quote(externalUrl) + "}";
    }

    /** Alertmanager's default title: {@code [FIRING:2] <group label values> (<other common label values>)}. */
    private static String title(Group g, List<AlertEvent> alerts, long firing) {
        Map<String, String> common = common(alerts.stream().map(a -> toMap(a.labels())).toList());
        Map<String, String> group = toMap(g.groupLabels);
        StringBuilder sb = new StringBuilder(firing > 0 ? "[FIRING:" + firing + "]" : "[RESOLVED]");
        group.values().forEach(v -> sb.append(' ').append(v));
        List<String> rest = new ArrayList<>();
        common.forEach((k, v) -> {
            if (!group.containsKey(k)) {
                rest.add(v);
            }
        });
        if (!rest.isEmpty()) {
            sb.append(" (").append(String.join(" ", rest)).append(')');
        }
        return sb.toString();
    }

    private static String sha256(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Alertmanager's webhook payload, version 4. */
    private String webhookPayload(String receiver, Group g, List<AlertEvent> alerts, long now, int maxAlerts) {
        boolean anyFiring = alerts.stream().anyMatch(a -> a.endsAt() > now);
        Map<String, String> commonLabels = common(alerts.stream().map(a -> toMap(a.labels())).toList());
        Map<String, String> commonAnnotations = common(alerts.stream().map(AlertEvent::annotations).toList());
        int shown = maxAlerts > 0 ? Math.min(maxAlerts, alerts.size()) : alerts.size();
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"version\":\"4\",\"groupKey\":").append(quote(g.key))
                .append(",\"truncatedAlerts\":").append(alerts.size() - shown)
                .append(",\"status\":\"").append(anyFiring ? "firing" : "resolved").append('"')
                .append(",\"receiver\":").append(quote(receiver))
                .append(",\"groupLabels\":").append(object(toMap(g.groupLabels)))
                .append(",\"commonLabels\":").append(object(commonLabels))
                .append(",\"commonAnnotations\":").append(object(commonAnnotations))
                .append(",\"externalURL\":").append(quote(externalUrl))
                .append(",\"alerts\":[");
        for (int i = 0; i < shown; i++) {
            AlertEvent a = alerts.get(i);
            boolean firing = a.endsAt() > now;
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"status\":\"").append(firing ? "firing" : "resolved").append('"')
                    .append(",\"labels\":").append(object(toMap(a.labels())))
                    .append(",\"annotations\":").append(object(new TreeMap<>(a.annotations())))
                    .append(",\"startsAt\":").append(quote(RFC3339.format(Instant.ofEpochMilli(a.startsAt()))))
                    .append(",\"endsAt\":").append(quote(firing ? "0001-01-01T00:00:00Z" : RFC3339.format(Instant.ofEpochMilli(a.endsAt()))))
                    .append(",\"generatorURL\":").append(quote(a.generatorUrl()))
                    .append(",\"fingerprint\":").append(quote(String.format("%016x", fingerprint(a.labels()))))
                    .append('}');
        }
        return sb.append("]}").toString();
    }

    private static Map<String, String> toMap(Labels l) {
        Map<String, String> m = new TreeMap<>();
        l.forEach(m::put);
        return m;
    }

    private static Map<String, String> common(List<Map<String, String>> maps) {
        if (maps.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new TreeMap<>(maps.get(0));
        for (Map<String, String> m : maps) {
            out.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
        }
        return out;
    }

    /** Prometheus's label-set fingerprint: FNV-1a 64 over names and values with 0xff separators. */
    public static long fingerprintOf(Labels labels) {
        return fingerprint(labels);
    }

    static long fingerprint(Labels labels) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < labels.size(); i++) {
            for (String s : new String[] {labels.name(i), labels.value(i)}) {
                for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    h ^= b & 0xff;
                    h *= 0x100000001b3L;
                }
                h ^= 0xff;
                h *= 0x100000001b3L;
            }
        }
        return h;
    }

    private static String object(Map<String, String> m) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        }
        return sb.append('}').toString();
    }

    static String quote(String s) {
        return io.sightline.common.JsonStrings.quote(s);
    }

    @Override
    public synchronized void close() {
        closed = true;
        groups.values().forEach(Group::cancel);
        groups.clear();
        scheduler.shutdownNow();
        mail.shutdownNow();
    }
}
