package io.sightline.alerting.notify;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Names;
import io.sightline.common.PromDuration;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads an Alertmanager configuration ({@code alertmanager.yml}): {@code global.resolve_timeout},
 * {@code route} (receiver, group_by, continue, matchers or the older match/match_re, group_wait,
 * group_interval, repeat_interval, routes), {@code inhibit_rules} (source_matchers, target_matchers,
 * equal, or the older source_match/target_match) and {@code receivers} with {@code webhook_configs}.
 * Alertmanager's checks apply: the root route names a receiver and has no matchers, every receiver a
 * route names exists, receiver names are unique. Receiver kinds that Sightline does not send yet are
 * rejected by name rather than ignored, so that nobody believes a page will go out that will not.
 */
public final class NotifierConfigParser {
    private static final Set<String> NOT_YET = Set.of(
            "opsgenie_configs", "victorops_configs", "pushover_configs", "wechat_configs", "telegram_configs",
            "sns_configs", "webex_configs", "discord_configs", "msteams_configs", "msteamsv2_configs", "jira_configs",
            "rocketchat_configs", "incidentio_configs");

    private final String file;
    /** The notification templates: Sightline's defaults and the {@code templates} files. */
    private io.sightline.alerting.template.NotificationTemplates templates;

    /**
     * The {@code templates} globs, relative to the file's directory as in Alertmanager; a glob that matches
     * nothing is not an error (Alertmanager's rule), a file that does not parse is.
     */
    private io.sightline.alerting.template.NotificationTemplates templateFiles(Node n) throws NotifierConfigException {
        Path base = Path.of(file).toAbsolutePath().getParent();
        List<Path> files = new ArrayList<>();
        for (String glob : strings(n, "templates")) {
            Path pattern = base == null ? Path.of(glob) : base.resolve(glob);
            Path dir = pattern.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            java.nio.file.PathMatcher matcher = dir.getFileSystem().getPathMatcher("glob:" + pattern.getFileName());
            try (java.util.stream.Stream<Path> list = Files.list(dir)) {
                list.filter(f -> matcher.matches(f.getFileName()) && Files.isRegularFile(f)).sorted().forEach(files::add);
            } catch (java.io.IOException e) {
                throw error(n, "cannot list template files in " + dir + ": " + e.getMessage());
            }
        }
        try {
            return io.sightline.alerting.template.NotificationTemplates.load(files);
        } catch (io.sightline.alerting.template.TemplateException e) {
            throw error(n, e.getMessage());
        }
    }

    /** The text of a templated field, checked to parse. */
    private String template(Node n, String what) throws NotifierConfigException {
        String text = string(n, what);
        String bad = templates.check(what, text);
        if (bad != null) {
            throw error(n, "invalid template in " + what + ": " + bad);
        }
        return text;
    }

    /** The names of the time intervals defined, checked where routes use them. */
    private Set<String> intervalNames = Set.of();
    /** The {@code global} section's {@code smtp_*} settings, the defaults of every e-mail config. */
    private Map<String, Node> smtp = Map.of();

    private NotifierConfigParser(String file) {
        this.file = file;
    }

    /** Parses the text of a file. */
    public static NotifierConfig parse(String file, String text) throws NotifierConfigException {
        Node root;
        try {
            LoaderOptions o = new LoaderOptions();
            o.setMaxAliasesForCollections(50);
            root = new Yaml(o).compose(new StringReader(text));
        } catch (RuntimeException e) {
            throw new NotifierConfigException(file + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        if (root == null) {
            throw new NotifierConfigException(file + ": the notifier configuration is empty; it needs a route and receivers");
        }
        return parse(file, root);
    }

    /** Parses a node of a larger file (the {@code notifier:} section of the Sightline config). */
    public static NotifierConfig parse(String file, Node root) throws NotifierConfigException {
        NotifierConfig c = new NotifierConfigParser(file).config(root);
        java.io.StringWriter text = new java.io.StringWriter();
        try {
            new Yaml().serialize(redacted(root), text);
        } catch (RuntimeException e) {
            text.write(""); // the configuration is valid; only its echo in the status API is lost
        }
        return new NotifierConfig(c.resolveTimeout(), c.route(), c.receivers(), c.inhibitRules(), c.timeIntervals(),
                c.templates(), text.toString());
    }

    /** Keys whose values are secrets: the status API shows {@code <secret>}, as Alertmanager does. */
    static boolean isSecret(String key) {
        return key.endsWith("password") || key.endsWith("secret") || key.endsWith("token") || key.equals("credentials")
                || key.equals("routing_key") || key.equals("service_key") || key.equals("api_key") || key.equals("api_url")
                || key.equals("password_file") || key.equals("auth_password_file");
    }

    /** A copy of the tree with secret values replaced. */
    private static Node redacted(Node n) {
        if (n instanceof MappingNode m) {
            List<NodeTuple> tuples = new ArrayList<>();
            for (NodeTuple t : m.getValue()) {
                Node v = t.getValueNode();
                boolean secret = t.getKeyNode() instanceof ScalarNode k && isSecret(k.getValue()) && v instanceof ScalarNode;
                tuples.add(new NodeTuple(t.getKeyNode(), secret
                        ? new ScalarNode(org.yaml.snakeyaml.nodes.Tag.STR, "<secret>", v.getStartMark(), v.getEndMark(),
                                org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN)
                        : redacted(v)));
            }
            return new MappingNode(m.getTag(), tuples, m.getFlowStyle());
        }
        if (n instanceof SequenceNode sq) {
            List<Node> items = new ArrayList<>();
            for (Node item : sq.getValue()) {
                items.add(redacted(item));
            }
            return new SequenceNode(sq.getTag(), items, sq.getFlowStyle());
        }
        return n;
    }

    private NotifierConfigException error(Node n, String message) {
        return new NotifierConfigException(file + ":" + (n.getStartMark().getLine() + 1) + ":" + (n.getStartMark().getColumn() + 1)
                + ": " + message);
    }

    private Map<String, Node> mapping(Node n, String what, String... known) throws NotifierConfigException {
        if (!(n instanceof MappingNode m)) {
            throw error(n, what + " must be a mapping");
        }
        Set<String> allowed = Set.of(known);
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
            if (!allowed.contains(k)) {
                if (NOT_YET.contains(k)) {
                    throw error(t.getKeyNode(), k + " are not supported by Sightline yet; use webhook_configs (for example"
                            + " through a bridge), or forward to an Alertmanager");
                }
                throw error(t.getKeyNode(), "field " + k + " not found in " + what + " (known: " + String.join(", ", known) + ")");
            }
            if (out.put(k, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), "key \"" + k + "\" is repeated in " + what);
            }
        }
        return out;
    }

    private String string(Node n, String what) throws NotifierConfigException {
        if (!(n instanceof ScalarNode s)) {
            throw error(n, what + " must be a single value");
        }
        return s.getValue();
    }

    private List<String> strings(Node n, String what) throws NotifierConfigException {
        if (n == null) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            throw error(n, what + " must be a list");
        }
        List<String> out = new ArrayList<>();
        for (Node v : seq.getValue()) {
            out.add(string(v, what + " entries"));
        }
        return out;
    }

    private Duration duration(Node n, String what, Duration dflt) throws NotifierConfigException {
        if (n == null) {
            return dflt;
        }
        try {
            Duration d = PromDuration.parse(string(n, what));
            if (d.isZero()) {
                throw error(n, what + " must be greater than 0");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(n, what + ": " + e.getMessage());
        }
    }

    private NotifierConfig config(Node root) throws NotifierConfigException {
        Map<String, Node> top = mapping(root, "the notifier configuration", "global", "route", "receivers", "inhibit_rules",
                "templates", "time_intervals", "mute_time_intervals");
        Duration resolveTimeout = Duration.ofMinutes(5);
        if (top.containsKey("global")) {
            Map<String, Node> g = mapping(top.get("global"), "global", "resolve_timeout", "http_config", "smtp_from",
                    "smtp_smarthost", "smtp_hello", "smtp_auth_username", "smtp_auth_password", "smtp_auth_password_file",
                    "smtp_auth_identity", "smtp_auth_secret", "smtp_require_tls", "smtp_tls_config");
            resolveTimeout = duration(g.get("resolve_timeout"), "resolve_timeout", resolveTimeout);
            Map<String, Node> defaults = new LinkedHashMap<>();
            g.forEach((k, v) -> {
                if (k.startsWith("smtp_")) {
                    defaults.put(k.substring(5), v);
                }
            });
            smtp = defaults;
        }
        templates = io.sightline.alerting.template.NotificationTemplates.defaults();
        if (top.containsKey("templates")) {
            templates = templateFiles(top.get("templates"));
        }
        Map<String, List<TimeInterval>> intervals = new LinkedHashMap<>();
        for (String k : new String[] {"time_intervals", "mute_time_intervals"}) { // the second: Alertmanager's old name
            if (top.containsKey(k)) {
                timeIntervals(top.get(k), k, intervals);
            }
        }
        this.intervalNames = intervals.keySet();
        List<NotifierConfig.Receiver> receivers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Node rs = top.get("receivers");
        if (rs != null) {
            if (!(rs instanceof SequenceNode seq)) {
                throw error(rs, "receivers must be a list");
            }
            for (Node r : seq.getValue()) {
                NotifierConfig.Receiver rec = receiver(r);
                if (!names.add(rec.name())) {
                    throw error(r, "notification config name \"" + rec.name() + "\" is not unique");
                }
                receivers.add(rec);
            }
        }
        Node routeNode = top.get("route");
        if (routeNode == null) {
            throw error(root, "no route provided in config");
        }
        NotifierConfig.Route route = route(routeNode, null, names);
        if (route.receiver().isEmpty()) {
            throw error(routeNode, "root route must specify a default receiver");
        }
        if (!route.matchers().isEmpty()) {
            throw error(routeNode, "root route must not have any matchers");
        }
        if (route.cont()) {
            throw error(routeNode, "cannot have continue in root route");
        }
        List<NotifierConfig.InhibitRule> inhibit = new ArrayList<>();
        Node ir = top.get("inhibit_rules");
        if (ir instanceof SequenceNode seq) {
            for (Node r : seq.getValue()) {
                Map<String, Node> m = mapping(r, "an inhibit rule", "source_matchers", "target_matchers", "equal",
                        "source_match", "source_match_re", "target_match", "target_match_re");
                List<LabelMatcher> source = matchers(m.get("source_matchers"), m.get("source_match"), m.get("source_match_re"));
                List<LabelMatcher> target = matchers(m.get("target_matchers"), m.get("target_match"), m.get("target_match_re"));
                List<String> equal = strings(m.get("equal"), "equal");
                for (String e : equal) {
                    if (!Names.isValidLabelName(e)) {
                        throw error(m.get("equal"), "invalid label name \"" + e + "\" in equal");
                    }
                }
                inhibit.add(new NotifierConfig.InhibitRule(source, target, equal));
            }
        } else if (ir != null) {
            throw error(ir, "inhibit_rules must be a list");
        }
        return new NotifierConfig(resolveTimeout, route, List.copyOf(receivers), List.copyOf(inhibit), Map.copyOf(intervals),
                templates, "");
    }

    private NotifierConfig.Receiver receiver(Node n) throws NotifierConfigException {
        Map<String, Node> m = mapping(n, "a receiver", "name", "webhook_configs", "slack_configs", "pagerduty_configs",
                "email_configs");
        if (!m.containsKey("name") || string(m.get("name"), "name").isEmpty()) {
            throw error(n, "missing name in receiver");
        }
        String name = string(m.get("name"), "name");
        List<NotifierConfig.Integration> hooks = new ArrayList<>();
        Node w = m.get("webhook_configs");
        if (w instanceof SequenceNode seq) {
            for (Node h : seq.getValue()) {
                Map<String, Node> hm = mapping(h, "a webhook config", "url", "url_file", "send_resolved", "max_alerts",
                        "timeout", "http_config");
                if (!hm.containsKey("url")) {
                    throw error(h, "one of url or url_file must be configured (url_file is not supported yet)");
                }
                String url = string(hm.get("url"), "url");
                try {
                    URI u = URI.create(url);
                    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                        throw new IllegalArgumentException("not an http(s) URL");
                    }
                } catch (IllegalArgumentException e) {
                    throw error(hm.get("url"), "invalid webhook url \"" + url + "\": " + e.getMessage());
                }
                boolean resolved = !hm.containsKey("send_resolved") || Boolean.parseBoolean(string(hm.get("send_resolved"), "send_resolved"));
                int max = 0;
                if (hm.containsKey("max_alerts")) {
                    try {
                        max = Integer.parseInt(string(hm.get("max_alerts"), "max_alerts"));
                    } catch (NumberFormatException e) {
                        throw error(hm.get("max_alerts"), "max_alerts must be an integer");
                    }
                    if (max < 0) {
                        throw error(hm.get("max_alerts"), "max_alerts must not be negative");
                    }
                }
                hooks.add(new NotifierConfig.Webhook(url, resolved, max, duration(hm.get("timeout"), "timeout", Duration.ofSeconds(10))));
            }
        } else if (w != null) {
            throw error(w, "webhook_configs must be a list");
        }
        Node sl = m.get("slack_configs");
        if (sl instanceof SequenceNode seq) {
            for (Node h : seq.getValue()) {
                Map<String, Node> hm = mapping(h, "a slack config", "api_url", "channel", "username", "send_resolved",
                        "title", "title_link", "pretext", "text", "fallback", "color", "http_config");
                Map<String, String> custom = new LinkedHashMap<>();
                for (String k : new String[] {"title", "title_link", "pretext", "text", "fallback", "color"}) {
                    if (hm.containsKey(k)) {
                        custom.put(k, template(hm.get(k), "slack " + k));
                    }
                }
                if (!hm.containsKey("api_url")) {
                    throw error(h, "no api_url (the Slack incoming webhook URL) in slack config");
                }
                String url = httpUrl(hm.get("api_url"), "api_url");
                boolean resolved = hm.containsKey("send_resolved") && Boolean.parseBoolean(string(hm.get("send_resolved"), "send_resolved"));
                hooks.add(new NotifierConfig.Slack(url, hm.containsKey("channel") ? string(hm.get("channel"), "channel") : "",
                        hm.containsKey("username") ? string(hm.get("username"), "username") : "", resolved, Duration.ofSeconds(10),
                        Map.copyOf(custom)));
            }
        } else if (sl != null) {
            throw error(sl, "slack_configs must be a list");
        }
        Node pd = m.get("pagerduty_configs");
        if (pd instanceof SequenceNode seq) {
            for (Node h : seq.getValue()) {
                Map<String, Node> hm = mapping(h, "a pagerduty config", "routing_key", "service_key", "url", "severity",
                        "send_resolved", "description", "http_config");
                if (hm.containsKey("service_key")) {
                    throw error(hm.get("service_key"), "service_key (PagerDuty Events API v1) is not supported; use routing_key (v2)");
                }
                if (!hm.containsKey("routing_key") || string(hm.get("routing_key"), "routing_key").isEmpty()) {
                    throw error(h, "missing routing_key in PagerDuty config");
                }
                String url = hm.containsKey("url") ? httpUrl(hm.get("url"), "url") : "https://events.pagerduty.com/v2/enqueue";
                String severity = hm.containsKey("severity") ? string(hm.get("severity"), "severity") : "error";
                if (!Set.of("critical", "error", "warning", "info").contains(severity)) {
                    throw error(hm.get("severity"), "severity must be critical, error, warning or info, got \"" + severity + "\"");
                }
                boolean resolved = !hm.containsKey("send_resolved") || Boolean.parseBoolean(string(hm.get("send_resolved"), "send_resolved"));
                hooks.add(new NotifierConfig.PagerDuty(url, string(hm.get("routing_key"), "routing_key"), severity, resolved,
                        Duration.ofSeconds(10), hm.containsKey("description") ? template(hm.get("description"),
                                "pagerduty description") : null));
            }
        } else if (pd != null) {
            throw error(pd, "pagerduty_configs must be a list");
        }
        Node em = m.get("email_configs");
        if (em instanceof SequenceNode seq) {
            for (Node h : seq.getValue()) {
                hooks.add(email(h));
            }
        } else if (em != null) {
            throw error(em, "email_configs must be a list");
        }
        return new NotifierConfig.Receiver(name, List.copyOf(hooks));
    }

    /** One {@code email_configs} entry, its unset settings taken from {@code global.smtp_*}. */
    private NotifierConfig.Email email(Node h) throws NotifierConfigException {
        Map<String, Node> own = mapping(h, "an email config", "to", "from", "smarthost", "hello", "auth_username",
                "auth_password", "auth_password_file", "auth_identity", "auth_secret", "require_tls", "tls_config", "headers",
                "html", "text", "send_resolved");
        Map<String, Node> e = new LinkedHashMap<>(smtp);
        e.putAll(own);
        String html = own.containsKey("html") ? template(own.get("html"), "email html") : null;
        String text = own.containsKey("text") ? template(own.get("text"), "email text") : null;
        if (e.containsKey("auth_identity") && !string(e.get("auth_identity"), "auth_identity").isEmpty()
                && !string(e.get("auth_identity"), "auth_identity")
                        .equals(e.containsKey("auth_username") ? string(e.get("auth_username"), "auth_username") : "")) {
            throw error(e.get("auth_identity"), "an auth_identity other than auth_username is not supported yet");
        }
        if (e.containsKey("auth_secret")) {
            throw error(e.get("auth_secret"), "auth_secret (CRAM-MD5) is not supported; use auth_username and auth_password");
        }
        if (!e.containsKey("to") || string(e.get("to"), "to").isBlank()) {
            throw error(h, "missing to address in email config");
        }
        if (!e.containsKey("from") || string(e.get("from"), "from").isBlank()) {
            throw error(h, "no global SMTP from set (smtp_from) and no from in the email config");
        }
        if (!e.containsKey("smarthost") || string(e.get("smarthost"), "smarthost").isBlank()) {
            throw error(h, "no global SMTP smarthost set (smtp_smarthost) and no smarthost in the email config");
        }
        Node sh = e.get("smarthost");
        String smarthost = string(sh, "smarthost");
        int colon = smarthost.lastIndexOf(':');
        String host = colon < 0 ? "" : smarthost.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(smarthost.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException x) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw error(sh, "smarthost \"" + smarthost + "\" is not host:port");
        }
        String password = e.containsKey("auth_password") ? string(e.get("auth_password"), "auth_password") : "";
        if (e.containsKey("auth_password_file")) {
            Node pf = e.get("auth_password_file");
            if (e.containsKey("auth_password")) {
                throw error(pf, "at most one of auth_password and auth_password_file must be configured");
            }
            try {
                password = java.nio.file.Files.readString(java.nio.file.Path.of(string(pf, "auth_password_file"))).strip();
            } catch (java.io.IOException | java.nio.file.InvalidPathException x) {
                throw error(pf, "cannot read auth_password_file: " + x.getMessage());
            }
        }
        boolean requireTls = !e.containsKey("require_tls") || bool(e.get("require_tls"), "require_tls");
        io.sightline.common.http.HttpClientConfig.Tls tls = io.sightline.common.http.HttpClientConfig.Tls.NONE;
        if (e.containsKey("tls_config")) {
            Map<String, Node> tm = mapping(e.get("tls_config"), "tls_config", "ca_file", "cert_file", "key_file",
                    "server_name", "insecure_skip_verify");
            if (tm.containsKey("server_name")) {
                throw error(tm.get("server_name"), "server_name is not supported for e-mail: the certificate is checked"
                        + " against the smarthost's name");
            }
            if (tm.containsKey("cert_file") != tm.containsKey("key_file")) {
                throw error(e.get("tls_config"), "tls_config needs both cert_file and key_file, or neither");
            }
            tls = new io.sightline.common.http.HttpClientConfig.Tls(
                    tm.containsKey("ca_file") ? string(tm.get("ca_file"), "ca_file") : null,
                    tm.containsKey("cert_file") ? string(tm.get("cert_file"), "cert_file") : null,
                    tm.containsKey("key_file") ? string(tm.get("key_file"), "key_file") : null,
                    tm.containsKey("server_name") ? string(tm.get("server_name"), "server_name") : null,
                    tm.containsKey("insecure_skip_verify") && bool(tm.get("insecure_skip_verify"), "insecure_skip_verify"));
            try {
                io.sightline.common.http.TlsClients.sslContext(tls);
            } catch (IllegalArgumentException x) {
                throw error(e.get("tls_config"), "tls_config: " + x.getMessage());
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        if (own.containsKey("headers")) {
            Map<String, Node> hm = freeMapping(own.get("headers"), "headers");
            for (Map.Entry<String, Node> x : hm.entrySet()) {
                String v = template(x.getValue(), "email header " + x.getKey());
                // Header names are case-insensitive: one Subject, however it is spelled.
                headers.keySet().removeIf(k -> k.equalsIgnoreCase(x.getKey()));
                headers.put(x.getKey(), v);
            }
        }
        return new NotifierConfig.Email(string(e.get("to"), "to"), string(e.get("from"), "from"), host, port,
                e.containsKey("hello") ? string(e.get("hello"), "hello") : "localhost",
                e.containsKey("auth_username") ? string(e.get("auth_username"), "auth_username") : "", password,
                e.containsKey("auth_identity") ? string(e.get("auth_identity"), "auth_identity") : "", requireTls, tls,
                Map.copyOf(headers), own.containsKey("send_resolved") && bool(own.get("send_resolved"), "send_resolved"),
                Duration.ofSeconds(30), html, text);
    }

    private boolean bool(Node n, String what) throws NotifierConfigException {
        String v = string(n, what);
        if (!v.equals("true") && !v.equals("false")) {
            throw error(n, what + " must be true or false, got \"" + v + "\"");
        }
        return v.equals("true");
    }

    private Map<String, Node> freeMapping(Node n, String what) throws NotifierConfigException {
        if (!(n instanceof MappingNode mn)) {
            throw error(n, what + " must be a mapping");
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            out.put(string(t.getKeyNode(), what + " keys"), t.getValueNode());
        }
        return out;
    }

    private String httpUrl(Node n, String what) throws NotifierConfigException {
        String url = string(n, what);
        try {
            URI u = URI.create(url);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw error(n, "invalid " + what + " \"" + url + "\": " + e.getMessage());
        }
        return url;
    }

    private NotifierConfig.Route route(Node n, NotifierConfig.Route parent, Set<String> receivers) throws NotifierConfigException {
        Map<String, Node> m = mapping(n, "a route", "receiver", "group_by", "continue", "matchers", "match", "match_re",
                "group_wait", "group_interval", "repeat_interval", "routes", "mute_time_intervals", "active_time_intervals");
        List<String> mute = strings(m.get("mute_time_intervals"), "mute_time_intervals");
        List<String> active = strings(m.get("active_time_intervals"), "active_time_intervals");
        for (String k : new String[] {"mute_time_intervals", "active_time_intervals"}) {
            for (String name : k.startsWith("mute") ? mute : active) {
                if (parent == null) {
                    throw error(m.get(k), "root route must not have any " + k.replace("_", " ").replace(" intervals", " intervals"));
                }
                if (!intervalNames.contains(name)) {
                    throw error(m.get(k), "undefined time interval \"" + name + "\" used in route");
                }
            }
        }
        String receiver = m.containsKey("receiver") ? string(m.get("receiver"), "receiver") : parent == null ? "" : parent.receiver();
        if (!receiver.isEmpty() && !receivers.contains(receiver)) {
            throw error(m.containsKey("receiver") ? m.get("receiver") : n, "undefined receiver \"" + receiver + "\" used in route");
        }
        List<String> groupBy = parent == null ? List.of() : parent.groupBy();
        boolean all = parent != null && parent.groupByAll();
        if (m.containsKey("group_by")) {
            groupBy = strings(m.get("group_by"), "group_by");
            all = groupBy.contains("...");
            if (all && groupBy.size() > 1) {
                throw error(m.get("group_by"), "cannot have wildcard group_by (`...`) and other labels at the same time");
            }
            Set<String> seen = new HashSet<>();
            for (String l : groupBy) {
                if (!all && !Names.isValidLabelName(l)) {
                    throw error(m.get("group_by"), "invalid label name \"" + l + "\" in group_by list");
                }
                if (!seen.add(l)) {
                    throw error(m.get("group_by"), "duplicated label \"" + l + "\" in group_by");
                }
            }
            if (all) {
                groupBy = List.of();
            }
        }
        boolean cont = m.containsKey("continue") && Boolean.parseBoolean(string(m.get("continue"), "continue"));
        List<LabelMatcher> matchers = matchers(m.get("matchers"), m.get("match"), m.get("match_re"));
        Duration wait = duration(m.get("group_wait"), "group_wait", parent == null ? Duration.ofSeconds(30) : parent.groupWait());
        Duration interval = duration(m.get("group_interval"), "group_interval",
                parent == null ? Duration.ofMinutes(5) : parent.groupInterval());
        Duration repeat = duration(m.get("repeat_interval"), "repeat_interval",
                parent == null ? Duration.ofHours(4) : parent.repeatInterval());
        NotifierConfig.Route self = new NotifierConfig.Route(receiver, List.copyOf(groupBy), all, cont, matchers, wait, interval,
                repeat, List.of());
        List<NotifierConfig.Route> children = new ArrayList<>();
        Node rs = m.get("routes");
        if (rs instanceof SequenceNode seq) {
            for (Node c : seq.getValue()) {
                children.add(route(c, self, receivers));
            }
        } else if (rs != null) {
            throw error(rs, "routes must be a list");
        }
        return new NotifierConfig.Route(receiver, List.copyOf(groupBy), all, cont, matchers, wait, interval, repeat,
                List.copyOf(children), List.copyOf(mute), List.copyOf(active));
    }

    private static final List<String> WEEKDAYS = List.of("sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday");
    private static final List<String> MONTHS = List.of("january", "february", "march", "april", "may", "june", "july",
            "august", "september", "october", "november", "december");

    /** Reads a {@code time_intervals} list (named groups of intervals) into {@code out}. */
    private void timeIntervals(Node n, String what, Map<String, List<TimeInterval>> out) throws NotifierConfigException {
        if (!(n instanceof SequenceNode seq)) {
            throw error(n, what + " must be a list");
        }
        for (Node named : seq.getValue()) {
            Map<String, Node> m = mapping(named, "a time interval", "name", "time_intervals");
            if (!m.containsKey("name") || string(m.get("name"), "name").isEmpty()) {
                throw error(named, "missing name in time interval");
            }
            String name = string(m.get("name"), "name");
            if (out.containsKey(name)) {
                throw error(m.get("name"), "time interval \"" + name + "\" is not unique");
            }
            List<TimeInterval> list = new ArrayList<>();
            Node ti = m.get("time_intervals");
            if (ti instanceof SequenceNode items) {
                for (Node item : items.getValue()) {
                    list.add(timeInterval(item));
                }
            } else if (ti != null) {
                throw error(ti, "time_intervals must be a list");
            }
            out.put(name, List.copyOf(list));
        }
    }

    private TimeInterval timeInterval(Node n) throws NotifierConfigException {
        Map<String, Node> m = mapping(n, "a time interval", "times", "weekdays", "days_of_month", "months", "years",
                "location");
        List<TimeInterval.MinuteRange> times = new ArrayList<>();
        if (m.get("times") instanceof SequenceNode ts) {
            for (Node t : ts.getValue()) {
                Map<String, Node> tm = mapping(t, "a time range", "start_time", "end_time");
                if (!tm.containsKey("start_time") || !tm.containsKey("end_time")) {
                    throw error(t, "a time range needs start_time and end_time");
                }
                int start = minutes(tm.get("start_time"));
                int end = minutes(tm.get("end_time"));
                if (start >= end) {
                    throw error(t, "start time cannot be equal or greater than end time");
                }
                times.add(new TimeInterval.MinuteRange(start, end));
            }
        } else if (m.containsKey("times")) {
            throw error(m.get("times"), "times must be a list");
        }
        List<TimeInterval.Range> weekdays = ranges(m.get("weekdays"), "weekday", WEEKDAYS, 0, 6, false);
        List<TimeInterval.Range> days = ranges(m.get("days_of_month"), "day of month", null, -31, 31, true);
        List<TimeInterval.Range> months = ranges(m.get("months"), "month", MONTHS, 1, 12, false);
        List<TimeInterval.Range> years = ranges(m.get("years"), "year", null, 1, 9999, false);
        java.time.ZoneId zone = java.time.ZoneOffset.UTC;
        if (m.containsKey("location")) {
            String loc = string(m.get("location"), "location");
            try {
                zone = loc.equals("Local") ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(loc);
            } catch (java.time.DateTimeException e) {
                throw error(m.get("location"), "unknown time zone \"" + loc + "\"");
            }
        }
        return new TimeInterval(times, weekdays, days, months, years, zone);
    }

    /** {@code HH:MM}, 00:00 to 24:00, as minutes of the day. */
    private int minutes(Node n) throws NotifierConfigException {
        String s = string(n, "time");
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("(\\d{2}):(\\d{2})").matcher(s);
        if (!mt.matches()) {
            throw error(n, "couldn't parse timestamp " + s + ", invalid format");
        }
        int h = Integer.parseInt(mt.group(1));
        int min = Integer.parseInt(mt.group(2));
        if (h > 24 || min > 59 || (h == 24 && min != 0)) {
            throw error(n, "timestamp " + s + " out of range (00:00 to 24:00)");
        }
        return h * 60 + min;
    }

    /** A list of values or {@code begin:end} ranges, by number or (for weekdays and months) by name. */
    private List<TimeInterval.Range> ranges(Node n, String what, List<String> names, int min, int max, boolean negatives)
            throws NotifierConfigException {
        List<TimeInterval.Range> out = new ArrayList<>();
        for (String s : strings(n, what + "s")) {
            String[] parts = s.split(":", -1);
            if (parts.length > 2) {
                throw error(n, "invalid range " + s + " of " + what + "s");
            }
            int begin = value(n, parts[0], what, names, min, max);
            int end = parts.length == 2 ? value(n, parts[1], what, names, min, max) : begin;
            if (negatives) {
                if (begin < 0 && end > 0) {
                    throw error(n, "end day must be negative if start day is negative");
                }
                // As Alertmanager: negative days checked against the shortest month, 28 days.
                int cb = begin < 0 ? 28 + begin : begin;
                int ce = end < 0 ? 28 + end : end;
                if (cb > ce) {
                    throw error(n, "end day " + end + " is before start day " + begin);
                }
            } else if (begin > end) {
                throw error(n, "start " + what + " cannot be after end " + what + " in " + s);
            }
            out.add(new TimeInterval.Range(begin, end));
        }
        return out;
    }

    private int value(Node n, String s, String what, List<String> names, int min, int max) throws NotifierConfigException {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (names != null && names.contains(t)) {
            return names.indexOf(t) + min;
        }
        int v;
        try {
            v = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw error(n, "\"" + s + "\" is not a valid " + what);
        }
        if (v == 0 && min < 0 || v < min || v > max || (names != null && names == WEEKDAYS)) {
            throw error(n, "\"" + s + "\" is not a valid " + what);
        }
        return v;
    }

    private List<LabelMatcher> matchers(Node matchersNode, Node match, Node matchRe) throws NotifierConfigException {
        List<LabelMatcher> out = new ArrayList<>();
        for (String s : strings(matchersNode, "matchers")) {
            try {
                out.addAll(Matchers.parse(s));
            } catch (IllegalArgumentException e) {
                throw error(matchersNode, e.getMessage());
            }
        }
        for (Node legacy : new Node[] {match, matchRe}) {
            if (legacy == null) {
                continue;
            }
            Map<String, Node> m = new LinkedHashMap<>();
            if (!(legacy instanceof MappingNode mn)) {
                throw error(legacy, "match and match_re must be mappings of label names to values");
            }
            for (NodeTuple t : mn.getValue()) {
                String k = string(t.getKeyNode(), "label name");
                if (!Names.isValidLabelName(k)) {
                    throw error(t.getKeyNode(), "invalid label name \"" + k + "\"");
                }
                m.put(k, t.getValueNode());
            }
            for (Map.Entry<String, Node> e : m.entrySet()) {
                String v = string(e.getValue(), e.getKey());
                try {
                    out.add(legacy == match ? LabelMatcher.equal(e.getKey(), v) : LabelMatcher.regex(e.getKey(), v));
                } catch (RuntimeException ex) {
                    throw error(e.getValue(), "invalid regular expression \"" + v + "\": " + ex.getMessage());
                }
            }
        }
        return List.copyOf(out);
    }
}
