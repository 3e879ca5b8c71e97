package io.sightline.server.config;

import io.sightline.common.Labels;
import io.sightline.common.relabel.Relabeler;
import io.sightline.scrape.StaticConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code alerting.alertmanagers} of a configuration as the URLs alerts go to, as Prometheus finds them: each
 * static target labelled {@code __address__}, {@code __scheme__} and {@code __alerts_path__}, then its entry's
 * {@code relabel_configs}. A target they drop is kept as dropped, with the URL its labels gave before.
 */
public final class AlertmanagerTargets {
    private AlertmanagerTargets() {}

    /**
     * One target.
     *
     * @param config the {@code alertmanagers} entry it comes from
     * @param url where alerts are posted, or for a dropped target where they would have been: text, since a
     *     dropped target's address need not make a valid URI
     * @param dropped whether relabeling dropped it (alerts are not sent there)
     */
    public record Target(SightlineConfig.AlertmanagerConfig config, String url, boolean dropped) {}

    /** Every target of every entry, in the configuration's order. */
    public static List<Target> resolve(SightlineConfig c) {
        List<Target> out = new ArrayList<>();
        for (SightlineConfig.AlertmanagerConfig am : c.alerting().alertmanagers()) {
            String prefix = am.pathPrefix().endsWith("/")
                    ? am.pathPrefix().substring(0, am.pathPrefix().length() - 1) : am.pathPrefix();
            for (StaticConfig sc : am.staticConfigs()) {
                for (String address : sc.targets()) {
                    Labels before = sc.labels().toBuilder().set("__address__", address).set("__scheme__", am.scheme())
                            .set("__alerts_path__", prefix + "/api/v2/alerts").build();
                    Labels after = Relabeler.process(before, am.relabelConfigs());
                    boolean dropped = after == null || after.get("__address__") == null;
                    out.add(new Target(am, url(dropped ? before : after), dropped));
                }
            }
        }
        return out;
    }

    private static String url(Labels l) {
        return l.get("__scheme__") + "://" + l.get("__address__") + l.get("__alerts_path__");
    }
}
