package io.sightline.tsdb.merge;

import io.sightline.common.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** Walks several lists sorted by labels at once, handing over each label set with its items from every list. */
public final class LabelOrderMerge {
    private LabelOrderMerge() {}

    /**
     * Calls {@code group} once per distinct label set, in label order, with the items that carry it
     * (in list order). Each list must be sorted by labels with no label set twice.
     */
    public static <T> void merge(List<? extends List<? extends T>> lists, Function<T, Labels> labels,
            BiConsumer<Labels, List<T>> group) {
        int[] pos = new int[lists.size()];
        while (true) {
            Labels min = null;
            for (int i = 0; i < lists.size(); i++) {
                if (pos[i] < lists.get(i).size()) {
                    Labels l = labels.apply(lists.get(i).get(pos[i]));
                    if (min == null || l.compareTo(min) < 0) {
                        min = l;
                    }
                }
            }
            if (min == null) {
                return;
            }
            List<T> items = new ArrayList<>(2);
            for (int i = 0; i < lists.size(); i++) {
                if (pos[i] < lists.get(i).size() && labels.apply(lists.get(i).get(pos[i])).equals(min)) {
                    items.add(lists.get(i).get(pos[i]++));
                }
            }
            group.accept(min, items);
        }
    }
}
