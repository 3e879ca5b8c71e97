package io.sightline.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sightline check rules} and Debian's {@code promtool check rules} (Prometheus 2.42) agree on a
 * table of good and bad rule files. Left out on purpose: Prometheus 3 keys that 2.42 does not know
 * ({@code query_offset}, group {@code labels}) and template errors (templates are not checked yet).
 */
class PromtoolAgreementTest {
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @TempDir
    Path tmp;

    private static final String[] FILES = {
        // good
        "groups:\n  - name: g\n    interval: 30s\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n"
            + "      - alert: Down\n        expr: up == 0\n        for: 5m\n        keep_firing_for: 1m\n"
            + "        labels: {severity: page}\n        annotations: {summary: down}\n",
        "groups: []\n",
        "groups:\n  - name: a\n    rules: []\n  - name: b\n    limit: 10\n    rules:\n      - record: x\n        expr: vector(1)\n",
        "groups:\n  - name: g\n    rules:\n      - alert: Slow\n        expr: up\n        labels: {team: '{{ $labels.job }}'}\n"
            + "        annotations:\n          summary: '{{ $labels.instance }} at {{ $value | humanizePercentage }}'\n"
            + "          detail: '{{ range query \"up\" }}{{ .Labels.instance }} {{ end }}{{- /* c */ -}}'\n"
            + "          more: '{{ if gt $value 0.5 }}{{ printf \"%.2f\" $value }}{{ else }}low{{ end }}'\n",
        // bad
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        annotations: {s: '{{ humanise $value }}'}\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        annotations: {s: '{{ if }}x{{ end }}'}\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        labels: {s: '{{ $nope }}'}\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        annotations: {s: '{{ .x'}\n",
        "groups:\n  - name: g\n    rules:\n      - record: 1bad\n        expr: up\n",
        "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: sum(\n",
        "groups:\n  - name: g\n    rules:\n      - record: x\n        alert: y\n        expr: up\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n",
        "groups:\n  - name: g\n    rules: []\n  - name: g\n    rules: []\n",
        "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: up\n        for: 5m\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        labels: {1x: v}\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        annotations: {bad-name: v}\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        for: five minutes\n",
        "groups:\n  - name: g\n    rules:\n      - alert: y\n        expr: up\n        severity: page\n",
        "groups:\n  - name: g\n    interval: often\n    rules: []\n",
        "groups:\n  - rules: []\n",
        "groups: [\n",
    };

    private static boolean promtoolAccepts(Path file) throws Exception {
        Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue() == 0;
    }

    private static boolean weAccept(Path file) {
        int code = Main.run(new String[] {"check", "rules", file.toString()}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(new StringWriter(), true));
        return code == 0;
    }

    @Test
    void sameVerdictAsPromtool() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "needs promtool from Debian's prometheus package (.ci/run installs it)");
        List<String> disagreements = new ArrayList<>();
        int good = 0;
        for (int i = 0; i < FILES.length; i++) {
            Path f = tmp.resolve("rules" + i + ".yml");
            Files.writeString(f, FILES[i], StandardCharsets.UTF_8);
            boolean theirs = promtoolAccepts(f);
            boolean ours = weAccept(f);
            good += theirs ? 1 : 0;
            if (theirs != ours) {
                disagreements.add("file " + i + ": promtool " + (theirs ? "accepts" : "rejects") + ", we "
                        + (ours ? "accept" : "reject") + ":\n" + FILES[i]);
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(good).as("the table has good files").isEqualTo(4);
    }
}
