package io.sightline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LabelsTest {

    @Test
    void of_sortsByName_andDropsEmptyValues() {
        Labels l = Labels.of("job", "api", "__name__", "up", "zone", "", "instance", "a:1");
        assertThat(l.size()).isEqualTo(3);
        assertThat(l.name(0)).isEqualTo("__name__");
        assertThat(l.name(1)).isEqualTo("instance");
        assertThat(l.name(2)).isEqualTo("job");
        assertThat(l.get("zone")).isEmpty();
        assertThat(l.has("zone")).isFalse();
        assertThat(l.metricName()).isEqualTo("up");
    }

    @Test
    void of_duplicateName_isRejected() {
        assertThatThrownBy(() -> Labels.of("a", "1", "a", "2")).hasMessageContaining("duplicate label name \"a\"");
        assertThatThrownBy(() -> Labels.of("a")).hasMessageContaining("odd number");
    }

    @Test
    void toString_escapesLikeTheExpositionFormat() {
        Labels l = Labels.of("__name__", "x", "path", "a\"b\\c\nd");
        assertThat(l.toString()).isEqualTo("x{path=\"a\\\"b\\\\c\\nd\"}");
        assertThat(Labels.empty().toString()).isEqualTo("{}");
    }

    @Test
    void builder_setReplaces_removeDrops_emptyValueRemoves() {
        Labels l = Labels.of("a", "1", "b", "2").toBuilder().set("a", "9").remove("b").set("c", "3").set("c", "").build();
        assertThat((Object) l).isEqualTo(Labels.of("a", "9"));
    }

    /** Property: equality, ordering and lookup agree with a TreeMap model over random label sets. */
    @Test
    void labels_agreeWithSortedMapModel_seededRandom() {
        long seed = 42L;
        Random random = new Random(seed);
        List<Labels> all = new ArrayList<>();
        List<TreeMap<String, String>> models = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            TreeMap<String, String> model = new TreeMap<>();
            int n = random.nextInt(6);
            List<String> flat = new ArrayList<>();
            java.util.Set<String> used = new java.util.HashSet<>();
            for (int j = 0; j < n; j++) {
                String name = "l" + random.nextInt(8);
                if (!used.add(name)) {
                    continue;
                }
                String value = random.nextInt(5) == 0 ? "" : "v" + random.nextInt(3);
                flat.add(name);
                flat.add(value);
                if (!value.isEmpty()) {
                    model.put(name, value);
                }
            }
            List<String> shuffled = new ArrayList<>();
            List<Integer> idx = new ArrayList<>();
            for (int j = 0; j < flat.size() / 2; j++) {
                idx.add(j);
            }
            Collections.shuffle(idx, random);
            for (int j : idx) {
                shuffled.add(flat.get(2 * j));
                shuffled.add(flat.get(2 * j + 1));
            }
            Labels l = Labels.of(shuffled.toArray(String[]::new));
            assertThat((Object) l).as("seed %d", seed).isEqualTo(Labels.fromMap(model));
            for (int k = 0; k < 8; k++) {
                assertThat(l.get("l" + k)).isEqualTo(model.getOrDefault("l" + k, ""));
            }
            all.add(l);
            models.add(model);
        }
        for (int i = 0; i + 1 < all.size(); i++) {
            Labels a = all.get(i);
            Labels b = all.get(i + 1);
            boolean sameModel = models.get(i).equals(models.get(i + 1));
            assertThat(a.equals(b)).isEqualTo(sameModel);
            assertThat(a.compareTo(b) == 0).isEqualTo(sameModel);
            assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
            if (sameModel) {
                assertThat(a.hashCode()).isEqualTo(b.hashCode());
            }
        }
    }

    /**
     * Property: whatever the order of the names (sorted, as storage reads them back, or shuffled) and with
     * some empty values, build() gives the non-empty labels in name order.
     */
    @Test
    void build_inAnyOrder_sortsAndDropsEmptyValues() {
        java.util.Random random = new java.util.Random(17);
        for (int iter = 0; iter < 2_000; iter++) {
            java.util.TreeMap<String, String> want = new java.util.TreeMap<>();
            java.util.List<String[]> pairs = new java.util.ArrayList<>();
            int n = random.nextInt(8);
            for (int i = 0; i < n; i++) {
                String name = "l" + random.nextInt(20);
                String value = random.nextInt(6) == 0 ? "" : "v" + random.nextInt(5);
                if (pairs.stream().noneMatch(p -> p[0].equals(name))) {
                    pairs.add(new String[] {name, value});
                    if (!value.isEmpty()) {
                        want.put(name, value);
                    }
                }
            }
            if (random.nextBoolean()) {
                pairs.sort(java.util.Comparator.comparing(p -> p[0]));
            } else {
                java.util.Collections.shuffle(pairs, random);
            }
            Labels.Builder b = Labels.builder();
            for (String[] p : pairs) {
                b.set(p[0], p[1]);
            }
            Labels got = b.build();
            assertThat(got.size()).isEqualTo(want.size());
            int i = 0;
            for (var e : want.entrySet()) {
                assertThat(got.name(i)).isEqualTo(e.getKey());
                assertThat(got.value(i)).isEqualTo(e.getValue());
                i++;
            }
            assertThat(got).isEqualTo(Labels.fromMap(want));
        }
    }
    /** Interned copies share their strings, compare like the originals, and interning twice copies nothing. */
    @Test
    void interned_sharesStrings_andComparesLikeTheOriginal_seededRandom() {
        Random random = new Random(7);
        List<Labels> plain = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            List<String> flat = new ArrayList<>();
            int n = 1 + random.nextInt(4);
            for (int j = 0; j < n; j++) {
                // new String: equal to, but not the same object as, the interned one
                flat.add(new String("l" + j));
                flat.add(new String("v" + random.nextInt(4)));
            }
            plain.add(Labels.of(flat.toArray(String[]::new)));
        }
        for (int i = 0; i < plain.size(); i++) {
            Labels a = plain.get(i);
            Labels ai = a.interned();
            assertThat(ai).isEqualTo(a).hasSameHashCodeAs(a);
            assertThat(ai.interned()).isSameAs(ai);
            for (int k = 0; k < a.size(); k++) {
                assertThat(ai.name(k)).isSameAs(a.name(k).intern());
                assertThat(ai.value(k)).isSameAs(a.value(k).intern());
            }
            Labels b = plain.get(random.nextInt(plain.size()));
            int want = Integer.signum(a.compareTo(b));
            assertThat(Integer.signum(ai.compareTo(b.interned()))).isEqualTo(want);
            assertThat(Integer.signum(ai.compareTo(b))).isEqualTo(want);
            assertThat(Integer.signum(a.compareTo(b.interned()))).isEqualTo(want);
        }
    }
}
