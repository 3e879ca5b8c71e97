package io.sightline.tsdb.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Deleted time ranges per series id of a block: {@code tombstones} in the block directory, replaced
 * atomically at each delete. Immutable; {@link #with} returns a new set.
 */
final class Tombstones {
    static final byte[] MAGIC = {'S', 'L', 'T', 'S', 1};
    static final Tombstones NONE = new Tombstones(Map.of());

    /** Per series id, sorted pairs {mint0, maxt0, mint1, maxt1, ...}, both ends inclusive. */
    private final Map<Integer, long[]> intervals;

    private Tombstones(Map<Integer, long[]> intervals) {
        this.intervals = intervals;
    }

    boolean isEmpty() {
        return intervals.isEmpty();
    }

    /** The deleted intervals of a series, or null. */
    long[] of(int id) {
        return intervals.get(id);
    }

    int size() {
        return intervals.size();
    }

    Tombstones with(Map<Integer, long[]> added) {
        Map<Integer, long[]> next = new HashMap<>(intervals);
        added.forEach((id, iv) -> next.merge(id, iv, Tombstones::mergeIntervals));
        return new Tombstones(next);
    }

    /** Union of two interval lists, sorted and coalesced. */
    static long[] mergeIntervals(long[] a, long[] b) {
        TreeMap<Long, Long> m = new TreeMap<>();
        for (long[] x : new long[][] {a, b}) {
            for (int i = 0; i < x.length; i += 2) {
                m.merge(x[i], x[i + 1], Math::max);
            }
        }
        long[] out = new long[m.size() * 2];
        int n = 0;
        for (Map.Entry<Long, Long> e : m.entrySet()) {
            long start = e.getKey();
            boolean joins = n > 0 && (start <= out[n - 1] || out[n - 1] != Long.MAX_VALUE && start == out[n - 1] + 1);
            if (joins) {
                out[n - 1] = Math.max(out[n - 1], e.getValue());
            } else {
                out[n++] = start;
                out[n++] = e.getValue();
            }
        }
        return Arrays.copyOf(out, n);
    }

    static boolean deleted(long[] iv, long t) {
        if (iv == null) {
            return false;
        }
        for (int i = 0; i < iv.length; i += 2) {
            if (t >= iv[i] && t <= iv[i + 1]) {
                return true;
            }
        }
        return false;
    }

    static Tombstones read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return NONE;
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length + 4 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new CorruptBlockException(file + " is not a tombstones file");
        }
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw new CorruptBlockException(file + " fails its checksum");
        }
        Decoder d = new Decoder(ByteBuffer.wrap(all), MAGIC.length, all.length - 4, file.toString());
        int n = d.getCount(all.length);
        Map<Integer, long[]> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int id = d.getCount(Integer.MAX_VALUE);
            long mint = d.getVarint();
            long maxt = d.getVarint();
            m.merge(id, new long[] {mint, maxt}, Tombstones::mergeIntervals);
        }
        return new Tombstones(m);
    }

    /** Writes the set to {@code file} through a temporary file and an atomic rename. */
    void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        int entries = 0;
        for (long[] iv : intervals.values()) {
            entries += iv.length / 2;
        }
        try (SectionWriter w = new SectionWriter(tmp)) {
            w.write(MAGIC);
            w.writeUvarint(entries);
            for (Map.Entry<Integer, long[]> e : new TreeMap<>(intervals).entrySet()) {
                long[] iv = e.getValue();
                for (int i = 0; i < iv.length; i += 2) {
                    w.writeUvarint(e.getKey());
                    w.writeVarint(iv[i]);
                    w.writeVarint(iv[i + 1]);
                }
            }
            w.writeInt(w.crc());
            w.finish();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        BlockWriter.forceDir(file.getParent());
    }
}
