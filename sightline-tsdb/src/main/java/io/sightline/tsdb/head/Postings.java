package io.sightline.tsdb.head;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roaringbitmap.RoaringBitmap;

/**
 * The inverted index: label name -> value -> bitmap of series refs, plus the bitmap of all refs.
 *
 * <p>Every matcher resolves the same way: when it does not match the empty string, the union of the
 * bitmaps of the values it matches; when it does (e.g. {@code env!="prod"}, {@code env=~"a|"}), all
 * series minus the union of the values it rejects, since series without the label match too. Values are
 * kept sorted, so {@code label values} needs no sort. Thread-safe: readers share a lock, adding a
 * series takes it exclusively (rare next to appends).
 */
final class Postings {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, TreeMap<String, RoaringBitmap>> index = new TreeMap<>();
    private final RoaringBitmap all = new RoaringBitmap();

    void add(int ref, Labels labels) {
        lock.writeLock().lock();
        try {
            all.add(ref);
            for (int i = 0; i < labels.size(); i++) {
                index.computeIfAbsent(labels.name(i), k -> new TreeMap<>())
                        .computeIfAbsent(labels.value(i), k -> new RoaringBitmap())
                        .add(ref);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    void remove(int ref, Labels labels) {
        lock.writeLock().lock();
        try {
            all.remove(ref);
            for (int i = 0; i < labels.size(); i++) {
                TreeMap<String, RoaringBitmap> values = index.get(labels.name(i));
                if (values == null) {
                    continue;
                }
                RoaringBitmap b = values.get(labels.value(i));
                if (b != null) {
                    b.remove(ref);
                    if (b.isEmpty()) {
                        values.remove(labels.value(i));
                        if (values.isEmpty()) {
                            index.remove(labels.name(i));
                        }
                    }
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Refs of series matching every matcher (all series when there are none). A new bitmap. */
    RoaringBitmap select(LabelMatcher... matchers) {
        lock.readLock().lock();
        try {
            RoaringBitmap result = null;
            // Narrow first with matchers that do not match the empty string: they give the small sets.
            for (int pass = 0; pass < 2; pass++) {
                for (LabelMatcher m : matchers) {
                    if ((pass == 0) == m.matchesEmpty()) {
                        continue;
                    }
                    RoaringBitmap r = resolve(m);
                    result = result == null ? r : RoaringBitmap.and(result, r);
                    if (result.isEmpty()) {
                        return result;
                    }
                }
            }
            return result == null ? all.clone() : result;
        } finally {
            lock.readLock().unlock();
        }
    }

    private RoaringBitmap resolve(LabelMatcher m) {
        TreeMap<String, RoaringBitmap> values = index.getOrDefault(m.name(), new TreeMap<>());
        boolean wantMatching = !m.matchesEmpty();
        List<RoaringBitmap> parts = new ArrayList<>();
        if (m.type() == LabelMatcher.Type.EQUAL && wantMatching) {
            RoaringBitmap b = values.get(m.value());
            return b == null ? new RoaringBitmap() : b.clone();
        }
        if (m.type() == LabelMatcher.Type.NOT_EQUAL && !wantMatching) {
            // != "v": everything but the series with value v.
            RoaringBitmap b = values.get(m.value());
            return b == null ? all.clone() : RoaringBitmap.andNot(all, b);
        }
        for (Map.Entry<String, RoaringBitmap> e : values.entrySet()) {
            if (m.matches(e.getKey()) == wantMatching) {
                parts.add(e.getValue());
            }
        }
        RoaringBitmap union = RoaringBitmap.or(parts.iterator());
        return wantMatching ? union : RoaringBitmap.andNot(all, union);
    }

    /** Sorted label names present in the index. */
    List<String> names() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(index.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The values of {@code name} with their bitmaps, in order; bitmaps are copies. */
    List<Map.Entry<String, RoaringBitmap>> values(String name) {
        lock.readLock().lock();
        try {
            List<Map.Entry<String, RoaringBitmap>> out = new ArrayList<>();
            TreeMap<String, RoaringBitmap> values = index.get(name);
            if (values != null) {
                values.forEach((v, b) -> out.add(Map.entry(v, b.clone())));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    int seriesCount() {
        lock.readLock().lock();
        try {
            return all.getCardinality();
        } finally {
            lock.readLock().unlock();
        }
    }
}
