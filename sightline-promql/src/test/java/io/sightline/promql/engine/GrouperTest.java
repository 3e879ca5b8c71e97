package io.sightline.promql.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.parser.Parser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The aggregation's groups: looked up by the grouping labels' values for {@code by}, by whole label sets for
 * {@code without}; either way the group of a series is the label set Prometheus gives it, and series of one group get
 * the same one.
 */
class GrouperTest {

    /** What a group is, written out: the grouping labels the series has (by), or all but those and the name (without). */
    private static Labels expected(Labels l, List<String> names, boolean without) {
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < l.size(); i++) {
            String n = l.name(i);
            boolean listed = names.contains(n);
            if (without ? !listed && !n.equals(Labels.METRIC_NAME) : listed) {
                b.set(n, l.value(i));
            }
        }
        return b.build();
    }

    @Test
    void groups_areThePrometheusLabelSets_sharedWithinAGroup_seeded() {
        Random r = new Random(7);
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Labels.Builder b = Labels.builder().set(Labels.METRIC_NAME, "m" + r.nextInt(3));
            for (String n : List.of("a", "b", "c", "le")) {
                if (r.nextInt(4) != 0) { // a label absent from a quarter of the series
                    b.set(n, n + r.nextInt(4));
                }
            }
            series.add(b.build());
        }
        for (String grouping : List.of("by (a)", "by (le)", "by (a, b)", "by (c, a, b)", "by ()", "by (__name__)",
                "by (zz)", "by (a, zz)", "without (a)", "without (a, b, zz)", "without ()")) {
            Expr.Aggregate a = (Expr.Aggregate) Parser.parse("sum " + grouping + " (x)");
            Aggregations.Grouper g = new Aggregations.Grouper(a);
            java.util.Map<Labels, Labels> seen = new java.util.HashMap<>();
            for (int pass = 0; pass < 2; pass++) { // a range query groups the same series at every step
                for (Labels l : series) {
                    Labels got = g.group(l);
                    assertThat(got).as("%s of %s", grouping, l).isEqualTo(expected(l, a.grouping(), a.without()));
                    Labels first = seen.putIfAbsent(got, got);
                    if (!a.without()) {
                        assertThat(got).as("%s: one object per group", grouping).isSameAs(first == null ? got : first);
                    }
                }
            }
        }
    }
}
