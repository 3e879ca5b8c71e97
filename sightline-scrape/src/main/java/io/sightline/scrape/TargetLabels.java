package io.sightline.scrape;

import io.sightline.common.Labels;
import io.sightline.common.PromDuration;
import io.sightline.common.relabel.Relabeler;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Turns a discovered target into the labels it is scraped with, as Prometheus does
 * ({@code scrape.PopulateLabels}): the group's labels under the target's own, then {@code job},
 * {@code __scrape_interval__}, {@code __scrape_timeout__}, {@code __metrics_path__}, {@code __scheme__}
 * (unless discovery set them) and {@code __param_<name>} for each configured parameter; then the
 * job's {@code relabel_configs}; then {@code __meta_*} labels go and {@code instance} defaults to
 * {@code __address__}. Unlike Prometheus 2, and like Prometheus 3, no default port is added to an
 * address without one.
 */
public final class TargetLabels {
    private TargetLabels() {}

    /**
     * What became of one discovered target.
     *
     * @param labels the labels after relabeling, internal {@code __} ones included; null if dropped or failed
     * @param discovered the labels before relabeling, as {@code /api/v1/targets} shows them
     * @param error why the target cannot be scraped, or null
     */
    public record Result(Labels labels, Labels discovered, String error) {
        public boolean dropped() {
            return labels == null && error == null;
        }
    }

    /** Applies the rules above to {@code target} found in {@code group}. */
    public static Result populate(ScrapeConfig cfg, Labels groupLabels, Labels target) {
        Labels.Builder b = groupLabels.toBuilder();
        target.forEach(b::set);
        setIfAbsent(b, "job", cfg.jobName());
        setIfAbsent(b, "__scrape_interval__", PromDuration.format(cfg.scrapeInterval()));
        setIfAbsent(b, "__scrape_timeout__", PromDuration.format(cfg.scrapeTimeout()));
        setIfAbsent(b, "__metrics_path__", cfg.metricsPath());
        setIfAbsent(b, "__scheme__", cfg.scheme());
        for (Map.Entry<String, List<String>> p : cfg.params().entrySet()) {
            if (!p.getValue().isEmpty()) {
                b.set("__param_" + p.getKey(), p.getValue().get(0));
            }
        }
        Labels discovered = b.build();
        Labels relabeled = Relabeler.process(discovered, cfg.relabelConfigs());
        if (relabeled == null || relabeled.isEmpty()) {
            return new Result(null, discovered, null);
        }
        String address = relabeled.get("__address__");
        if (address == null || address.isEmpty()) {
            return new Result(null, discovered, "no address");
        }
        String bad = checkAddress(address);
        if (bad != null) {
            return new Result(null, discovered, bad);
        }
        Duration interval;
        Duration timeout;
        try {
            interval = PromDuration.parse(relabeled.get("__scrape_interval__"));
        } catch (RuntimeException e) {
            return new Result(null, discovered, "error parsing scrape interval: " + e.getMessage());
        }
        try {
            timeout = PromDuration.parse(relabeled.get("__scrape_timeout__"));
        } catch (RuntimeException e) {
            return new Result(null, discovered, "error parsing scrape timeout: " + e.getMessage());
        }
        if (interval.isZero()) {
            return new Result(null, discovered, "scrape interval cannot be 0");
        }
        if (timeout.isZero()) {
            return new Result(null, discovered, "scrape timeout cannot be 0");
        }
        if (timeout.compareTo(interval) > 0) {
            return new Result(null, discovered, "scrape timeout cannot be greater than scrape interval (\""
                    + relabeled.get("__scrape_timeout__") + "\" > \"" + relabeled.get("__scrape_interval__") + "\")");
        }
        Labels.Builder out = relabeled.toBuilder();
        relabeled.forEach((name, value) -> {
            if (name.startsWith("__meta_")) {
                out.remove(name);
            }
        });
        if (out.get("instance") == null) {
            out.set("instance", address);
        }
        return new Result(out.build(), discovered, null);
    }

    /** Prometheus's {@code CheckTargetAddress}: no scheme or path in an address. */
    static String checkAddress(String address) {
        if (address.contains("/")) {
            return "\"" + address + "\" is not a valid hostname";
        }
        return null;
    }

    private static void setIfAbsent(Labels.Builder b, String name, String value) {
        if (b.get(name) == null) {
            b.set(name, value);
        }
    }

    /**
     * The target's public labels: those not starting with {@code __}, as stored on every sample and
     * shown as {@code labels} by {@code /api/v1/targets}.
     */
    public static Labels publicLabels(Labels all) {
        Labels.Builder b = Labels.builder();
        all.forEach((name, value) -> {
            if (!name.startsWith("__")) {
                b.add(name, value);
            }
        });
        return b.build();
    }
}
