package io.sightline.common.relabel;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Prometheus's relabeling semantics, case by case (expectations follow Prometheus's model/relabel). */
class RelabelerTest {

    private static RelabelConfig rule(RelabelConfig.Action action, List<String> source, String regex, String target,
            String replacement) {
        return new RelabelConfig(source, ";", target, RelabelConfig.compileRegex(regex), 0, replacement, action);
    }

    private static RelabelConfig replace(List<String> source, String regex, String target, String replacement) {
        return rule(RelabelConfig.Action.REPLACE, source, regex, target, replacement);
    }

    private static Labels l(String... kv) {
        return Labels.of(kv);
    }

    @Test
    void replace_expandsGroups_andAnchorsTheRegex() {
        Labels in = l("a", "foo", "b", "bar");
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "f(.*)", "d", "ch${1}-ch${1}"))))
                .isEqualTo(l("a", "foo", "b", "bar", "d", "choo-choo"));
        // Two sources joined by the separator; the regex must match the whole value.
        assertThat(Relabeler.process(in, List.of(replace(List.of("a", "b"), "f(.*);(.*)r", "a", "b${1}${2}m"))))
                .isEqualTo(l("a", "boobam", "b", "bar"));
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "o", "d", "x")))).as("not anchored: no match")
                .isEqualTo(in);
        // $1x is the group named "1x", which does not exist: empty value, so the label is removed.
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "(f)oo", "a", "$1x")))).isEqualTo(l("b", "bar"));
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "(f)oo", "a", "${1}x"))))
                .isEqualTo(l("a", "fx", "b", "bar"));
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "(?P<first>f)oo", "a", "$first-$$-$"))))
                .isEqualTo(l("a", "f-$-$", "b", "bar"));
        // A target label built from the match; an invalid result changes nothing.
        assertThat(Relabeler.process(in, List.of(replace(List.of("a"), "(.*)", "x_${1}", "v"))))
                .isEqualTo(l("a", "foo", "b", "bar", "x_foo", "v"));
        assertThat(Relabeler.process(l("a", "foo"), List.of(replace(List.of("b"), "(.*)", "${1}", "v"))))
                .as("empty target").isEqualTo(l("a", "foo"));
    }

    @Test
    void replace_withEmptySourceAndDefaultRegex_setsTheReplacement() {
        assertThat(Relabeler.process(l("a", "x"), List.of(replace(List.of(), "(.*)", "env", "prod"))))
                .isEqualTo(l("a", "x", "env", "prod"));
        assertThat(Relabeler.process(l("a", "x", "env", "dev"), List.of(replace(List.of("nope"), "(.*)", "env", ""))))
                .isEqualTo(l("a", "x"));
    }

    @Test
    void keepDropAndTheirEqualForms() {
        Labels in = l("__name__", "up", "job", "node", "instance", "node");
        RelabelConfig keepNode = rule(RelabelConfig.Action.KEEP, List.of("job"), "no.*", "", "$1");
        RelabelConfig dropUp = rule(RelabelConfig.Action.DROP, List.of("__name__"), "up|scrape_.*", "", "$1");
        assertThat(Relabeler.process(in, List.of(keepNode))).isEqualTo(in);
        assertThat(Relabeler.process(in, List.of(keepNode, dropUp))).isNull();
        assertThat(Relabeler.process(l("job", "api"), List.of(keepNode))).isNull();
        assertThat(Relabeler.process(l("x", "1"), List.of(rule(RelabelConfig.Action.KEEP, List.of("job"), "", "", "$1"))))
                .as("a missing label reads as empty").isEqualTo(l("x", "1"));
        RelabelConfig keepEqual = rule(RelabelConfig.Action.KEEPEQUAL, List.of("job"), "(.*)", "instance", "$1");
        RelabelConfig dropEqual = rule(RelabelConfig.Action.DROPEQUAL, List.of("job"), "(.*)", "instance", "$1");
        assertThat(Relabeler.process(in, List.of(keepEqual))).isEqualTo(in);
        assertThat(Relabeler.process(in, List.of(dropEqual))).isNull();
        assertThat(Relabeler.process(l("job", "a", "instance", "b"), List.of(keepEqual))).isNull();
    }

    @Test
    void hashmod_matchesPrometheus() {
        // Prometheus's own case: md5 of "baz", last 8 bytes big-endian, modulo 1000 = 976.
        RelabelConfig r = new RelabelConfig(List.of("c"), ";", "d", RelabelConfig.compileRegex("(.*)"), 1000, "$1",
                RelabelConfig.Action.HASHMOD);
        assertThat(Relabeler.process(l("a", "foo", "c", "baz"), List.of(r))).isEqualTo(l("a", "foo", "c", "baz", "d", "976"));
    }

    @Test
    void labelmapLabeldropLabelkeep_andCase() {
        Labels in = l("__meta_kubernetes_pod_label_app", "web", "__meta_kubernetes_pod_label_tier", "fe", "job", "k");
        assertThat(Relabeler.process(in, List.of(rule(RelabelConfig.Action.LABELMAP, List.of(),
                "__meta_kubernetes_pod_label_(.+)", "", "$1"))))
                .isEqualTo(l("__meta_kubernetes_pod_label_app", "web", "__meta_kubernetes_pod_label_tier", "fe",
                        "job", "k", "app", "web", "tier", "fe"));
        assertThat(Relabeler.process(in, List.of(rule(RelabelConfig.Action.LABELDROP, List.of(), "__meta_.*", "", "$1"))))
                .isEqualTo(l("job", "k"));
        assertThat(Relabeler.process(in, List.of(rule(RelabelConfig.Action.LABELKEEP, List.of(), "job", "", "$1"))))
                .isEqualTo(l("job", "k"));
        assertThat(Relabeler.process(l("a", "MiXed"), List.of(rule(RelabelConfig.Action.LOWERCASE, List.of("a"), "(.*)",
                "b", "$1"), rule(RelabelConfig.Action.UPPERCASE, List.of("a"), "(.*)", "c", "$1"))))
                .isEqualTo(l("a", "MiXed", "b", "mixed", "c", "MIXED"));
    }

    @Test
    void regexDotMatchesNewlines_asPrometheus() {
        assertThat(Relabeler.process(l("a", "x\ny"), List.of(rule(RelabelConfig.Action.DROP, List.of("a"), "x.y", "", "$1"))))
                .isNull();
    }

    @Test
    void expand_goSemantics_seeded() {
        var p = RelabelConfig.compileRegex("(a)(b)?(?P<named>c)");
        var m = p.matcher("ac");
        assertThat(m.matches()).isTrue();
        assertThat(Relabeler.expand("$1|$2|$3|$named|${named}|$0|$4|$01|${1}1|$|${|${x", m, p))
                .isEqualTo("a||c|c|c|ac|||a1|$|${|${x");
        // No template ever throws.
        Random r = new Random(5);
        String alphabet = "$${}1a_x0 ";
        for (int i = 0; i < 5_000; i++) {
            StringBuilder t = new StringBuilder();
            for (int k = 0; k < r.nextInt(12); k++) {
                t.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            assertThat(Relabeler.expand(t.toString(), m, p)).isNotNull();
        }
    }
}
