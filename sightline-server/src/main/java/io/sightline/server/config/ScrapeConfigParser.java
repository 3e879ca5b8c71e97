package io.sightline.server.config;

import io.sightline.common.http.HttpClientConfig;
import io.sightline.scrape.FileSdConfig;
import io.sightline.scrape.ScrapeConfig;
import io.sightline.scrape.StaticConfig;
import io.sightline.common.relabel.RelabelConfig;
import io.sightline.common.Labels;
import io.sightline.common.Names;
import io.sightline.server.config.SightlineConfig.GlobalConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds Prometheus's {@code scrape_configs}, relabel rules and HTTP client settings, with Prometheus's
 * defaults and validation rules, so that a {@code prometheus.yml} that Prometheus accepts loads here and
 * one it rejects is rejected with a comparable reason.
 */
final class ScrapeConfigParser {
    /** Discovery mechanisms of Prometheus that Sightline does not implement: rejected by name. */
    private static final List<String> UNSUPPORTED_SD = List.of(
            "azure_sd_configs", "consul_sd_configs", "digitalocean_sd_configs", "docker_sd_configs",
            "dockerswarm_sd_configs", "dns_sd_configs", "ec2_sd_configs", "eureka_sd_configs", "gce_sd_configs",
            "hetzner_sd_configs", "http_sd_configs", "ionos_sd_configs", "kubernetes_sd_configs", "kuma_sd_configs",
            "lightsail_sd_configs", "linode_sd_configs", "marathon_sd_configs", "nerve_sd_configs",
            "nomad_sd_configs", "openstack_sd_configs", "ovhcloud_sd_configs", "puppetdb_sd_configs",
            "scaleway_sd_configs", "serverset_sd_configs", "triton_sd_configs", "uyuni_sd_configs",
            "vultr_sd_configs");

    private static final String[] HTTP_CLIENT_KEYS = {
        "basic_auth", "authorization", "bearer_token", "bearer_token_file", "tls_config", "follow_redirects"};

    private static final Pattern TARGET_LABEL = Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

    private ScrapeConfigParser() {}

    static List<ScrapeConfig> scrapeConfigs(List<YamlNode> nodes, GlobalConfig global) {
        List<ScrapeConfig> out = new ArrayList<>();
        Set<String> jobs = new HashSet<>();
        for (YamlNode n : nodes) {
            ScrapeConfig sc = scrapeConfig(n, global);
            if (!jobs.add(sc.jobName())) {
                throw n.error("job_name \"" + sc.jobName() + "\" is used by another scrape config; job names must be unique");
            }
            out.add(sc);
        }
        return out;
    }

    private static ScrapeConfig scrapeConfig(YamlNode n, GlobalConfig global) {
        List<String> keys = new ArrayList<>(List.of(
                "job_name", "scrape_interval", "scrape_timeout", "metrics_path", "scheme", "params", "honor_labels",
                "honor_timestamps", "enable_compression", "sample_limit", "body_size_limit", "static_configs",
                "file_sd_configs", "relabel_configs", "metric_relabel_configs"));
        keys.addAll(List.of(HTTP_CLIENT_KEYS));
        keys.addAll(UNSUPPORTED_SD);
        YamlNode.Mapping m = n.mapping(keys.toArray(String[]::new));
        for (String sd : UNSUPPORTED_SD) {
            if (m.has(sd)) {
                throw m.required(sd).error(sd + " is not supported by Sightline; discover targets with static_configs"
                        + " or file_sd_configs (a file written by your own discovery tool)");
            }
        }
        YamlNode jobNode = m.required("job_name");
        String job = jobNode.string();
        if (job.isEmpty()) {
            throw jobNode.error("job_name must not be empty");
        }
        Duration interval = m.duration("scrape_interval", global.scrapeInterval());
        if (interval.isZero()) {
            throw m.required("scrape_interval").error("must be greater than 0s");
        }
        Duration timeout;
        if (m.has("scrape_timeout")) {
            timeout = m.duration("scrape_timeout", null);
            if (timeout.compareTo(interval) > 0) {
                throw m.required("scrape_timeout").error("scrape_timeout " + io.sightline.common.PromDuration.format(timeout)
                        + " is greater than scrape_interval " + io.sightline.common.PromDuration.format(interval));
            }
        } else {
            // Prometheus: an unset timeout is the global one, capped at this job's interval.
            timeout = global.scrapeTimeout().compareTo(interval) > 0 ? interval : global.scrapeTimeout();
        }
        String metricsPath = m.string("metrics_path", "/metrics");
        if (!metricsPath.startsWith("/")) {
            throw m.required("metrics_path").error("must start with \"/\", got \"" + metricsPath + "\"");
        }
        String scheme = m.string("scheme", "http");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw m.required("scheme").error("must be http or https, got \"" + scheme + "\"");
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        m.get("params").ifPresent(p -> p.freeMapping().forEach((k, v) -> params.put(k, v.stringList())));

        List<StaticConfig> statics = new ArrayList<>();
        for (YamlNode s : m.list("static_configs")) {
            statics.add(staticConfig(s));
        }
        List<FileSdConfig> files = new ArrayList<>();
        for (YamlNode f : m.list("file_sd_configs")) {
            files.add(fileSdConfig(f));
        }
        return new ScrapeConfig(job, interval, timeout, metricsPath, scheme, Map.copyOf(params),
                m.bool("honor_labels", false), m.bool("honor_timestamps", true), m.bool("enable_compression", true),
                m.integer("sample_limit", global.sampleLimit(), 0, Long.MAX_VALUE),
                m.byteSize("body_size_limit", global.bodySizeLimit()),
                httpClient(m), List.copyOf(statics), List.copyOf(files),
                relabelConfigs(m.list("relabel_configs")), relabelConfigs(m.list("metric_relabel_configs")));
    }

    static StaticConfig staticConfig(YamlNode n) {
        YamlNode.Mapping m = n.mapping("targets", "labels");
        List<String> targets = new ArrayList<>();
        for (YamlNode t : m.list("targets")) {
            String target = t.string();
            if (target.isEmpty() || target.contains("/") || target.contains(" ")) {
                throw t.error("target \"" + target + "\" is not host:port (a path belongs in metrics_path)");
            }
            targets.add(target);
        }
        return new StaticConfig(List.copyOf(targets), labels(m, "labels"));
    }

    private static FileSdConfig fileSdConfig(YamlNode n) {
        YamlNode.Mapping m = n.mapping("files", "refresh_interval");
        List<String> files = new ArrayList<>();
        for (YamlNode f : m.list("files")) {
            String file = f.string();
            if (!(file.endsWith(".json") || file.endsWith(".yml") || file.endsWith(".yaml"))) {
                throw f.error("file \"" + file + "\" must end in .json, .yml or .yaml");
            }
            files.add(file);
        }
        if (files.isEmpty()) {
            throw n.error("file_sd_configs entry has no files");
        }
        return new FileSdConfig(List.copyOf(files), m.duration("refresh_interval", Duration.ofMinutes(5)));
    }

    static Labels labels(YamlNode.Mapping m, String key) {
        Labels.Builder b = Labels.builder();
        m.get(key).ifPresent(node -> node.freeMapping().forEach((name, value) -> {
            if (!Names.isValidLabelName(name)) {
                throw value.error("\"" + name + "\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
            }
            b.add(name, value.isNull() ? "" : value.string());
        }));
        return b.build();
    }

    static HttpClientConfig httpClient(YamlNode.Mapping m) {
        HttpClientConfig.BasicAuth basic = m.get("basic_auth").map(n -> {
            YamlNode.Mapping b = n.mapping("username", "password", "password_file");
            if (b.has("password") && b.has("password_file")) {
                throw n.error("at most one of password and password_file may be set");
            }
            return new HttpClientConfig.BasicAuth(b.string("username", ""), b.string("password", null),
                    b.string("password_file", null));
        }).orElse(null);
        HttpClientConfig.Authorization authz = m.get("authorization").map(n -> {
            YamlNode.Mapping a = n.mapping("type", "credentials", "credentials_file");
            if (a.has("credentials") && a.has("credentials_file")) {
                throw n.error("at most one of credentials and credentials_file may be set");
            }
            String type = a.string("type", "Bearer");
            if (type.equalsIgnoreCase("basic")) {
                throw a.required("type").error("authorization type Basic is not allowed here; use basic_auth");
            }
            return new HttpClientConfig.Authorization(type, a.string("credentials", null), a.string("credentials_file", null));
        }).orElse(null);
        if (m.has("bearer_token") || m.has("bearer_token_file")) {
            if (authz != null) {
                throw m.owner().error("at most one of authorization, bearer_token and bearer_token_file may be set");
            }
            if (m.has("bearer_token") && m.has("bearer_token_file")) {
                throw m.owner().error("at most one of bearer_token and bearer_token_file may be set");
            }
            authz = new HttpClientConfig.Authorization("Bearer", m.string("bearer_token", null),
                    m.string("bearer_token_file", null));
        }
        if (basic != null && authz != null) {
            throw m.owner().error("at most one of basic_auth and authorization (or bearer_token) may be set");
        }
        HttpClientConfig.Tls tls = m.get("tls_config").map(n -> {
            YamlNode.Mapping t = n.mapping("ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify");
            if (t.has("cert_file") != t.has("key_file")) {
                throw n.error("cert_file and key_file must be set together");
            }
            return new HttpClientConfig.Tls(t.string("ca_file", null), t.string("cert_file", null),
                    t.string("key_file", null), t.string("server_name", null), t.bool("insecure_skip_verify", false));
        }).orElse(HttpClientConfig.Tls.NONE);
        return new HttpClientConfig(basic, authz, tls, m.bool("follow_redirects", true));
    }

    static List<String> httpClientKeys() {
        return List.of(HTTP_CLIENT_KEYS);
    }

    static List<RelabelConfig> relabelConfigs(List<YamlNode> nodes) {
        List<RelabelConfig> out = new ArrayList<>();
        for (YamlNode n : nodes) {
            out.add(relabelConfig(n));
        }
        return List.copyOf(out);
    }

    static RelabelConfig relabelConfig(YamlNode n) {
        YamlNode.Mapping m = n.mapping("source_labels", "separator", "target_label", "regex", "modulus",
                "replacement", "action");
        String actionName = m.string("action", "replace").toLowerCase(java.util.Locale.ROOT);
        RelabelConfig.Action action = RelabelConfig.Action.fromConfigName(actionName);
        if (action == null) {
            throw m.required("action").error("unknown relabel action \"" + actionName + "\" (expected one of replace, keep,"
                    + " drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase)");
        }
        List<String> source = m.stringList("source_labels");
        for (String s : source) {
            if (!Names.isValidLabelName(s)) {
                throw m.required("source_labels").error("\"" + s + "\" is not a valid label name");
            }
        }
        String regexText = m.string("regex", "(.*)");
        Pattern regex;
        try {
            regex = RelabelConfig.compileRegex(regexText);
        } catch (PatternSyntaxException e) {
            throw m.required("regex").error("invalid regular expression \"" + regexText + "\": " + e.getDescription());
        }
        String target = m.string("target_label", "");
        long modulus = m.integer("modulus", 0, 0, Long.MAX_VALUE);
        String replacement = m.string("replacement", "$1");
        switch (action) {
            case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> {
                if (target.isEmpty()) {
                    throw n.error("relabel action " + action.configName() + " requires target_label");
                }
            }
            default -> { }
        }
        if ((action == RelabelConfig.Action.REPLACE && !TARGET_LABEL.matcher(target).matches())
                || (action != RelabelConfig.Action.REPLACE && !target.isEmpty() && !Names.isValidLabelName(target))) {
            throw m.required("target_label").error("\"" + target + "\" is not a valid label name");
        }
        if (action == RelabelConfig.Action.HASHMOD && modulus == 0) {
            throw n.error("relabel action hashmod requires a modulus greater than 0");
        }
        if ((action == RelabelConfig.Action.KEEPEQUAL || action == RelabelConfig.Action.DROPEQUAL) && source.isEmpty()) {
            throw n.error("relabel action " + action.configName() + " requires source_labels");
        }
        if ((action == RelabelConfig.Action.LABELDROP || action == RelabelConfig.Action.LABELKEEP)
                && (!source.isEmpty() || !target.isEmpty() || m.has("modulus") || m.has("separator") || m.has("replacement"))) {
            throw n.error("relabel action " + action.configName() + " only takes regex");
        }
        return new RelabelConfig(List.copyOf(source), m.string("separator", ";"), target, regex, modulus,
                replacement, action);
    }
}
