package io.sightline.ingest.remotewrite;

import io.sightline.common.Labels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Label sets and strings decoded from remote write requests, found again by their encoded bytes. A
 * sender sends the same series in request after request, each time as the same bytes; decoding them to
 * strings, checking them and sorting them again was most of what a request allocated. A hit is
 * confirmed by comparing the bytes with the cached labels, so a hash collision costs only a miss.
 *
 * <p>Only label sets whose encoding maps one to one, in order, onto their sorted labels are cached (what
 * Prometheus and most senders send); others are decoded every time. Strings are shared too, so the
 * series the head keeps share their label names and common values.
 *
 * <p>Label sets sit in sets of {@link #WAYS} slots chosen by their hash: a one-slot-per-hash table held
 * 20,000 series in 32,768 slots yet missed for a third of them, as two series sharing a slot pushed each
 * other out on every request. With four ways and 131,072 slots, under 1 % of 20,000 series share a set
 * with four others.
 *
 * <p>Fixed size, about 600 KB (and the slots of the label sets in use); entries are replaced, never
 * removed. Strings are {@linkplain String#intern() interned}, as the head interns its series' labels: so it
 * keeps these very strings. Thread-safe: slots hold immutable records written without locks, which final
 * fields publish safely; a race between two writers of one set may lose an entry, which only costs a later
 * miss.
 */
final class EncodedLabels {
    /** Slots per set: a label set goes into one of these four, and is looked for in all of them. */
    static final int WAYS = 4;
    private static final int LABEL_SETS = 1 << 15;
    private static final int STRING_SLOTS = 1 << 14;
    /** Strings longer than this are not worth sharing. */
    private static final int MAX_SHARED_STRING_BYTES = 128;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The one cache of the process: every remote write request goes through it. */
    static final EncodedLabels SHARED = new EncodedLabels();

    private record LabelSlot(long hash, Labels labels) {}

    private record StringSlot(long hash, String value) {}

    private final LabelSlot[] labels = new LabelSlot[LABEL_SETS * WAYS];
    private final StringSlot[] strings = new StringSlot[STRING_SLOTS];

    /** The labels cached for the label fields in {@code buf[from, to)} that hash to {@code hash}, or null. */
    Labels get(byte[] buf, int from, int to, long hash) {
        int base = setOf(hash);
        for (int w = 0; w < WAYS; w++) {
            LabelSlot s = labels[base + w];
            if (s != null && s.hash == hash && matches(buf, from, to, s.labels)) {
                return s.labels;
            }
        }
        return null;
    }

    /**
     * Caches {@code value}, decoded from the label fields in {@code buf[from, to)}, if they map onto it: in
     * the first slot of its set, the others moving down one and the last leaving the cache (first in, first
     * out; a set fills from its first slot, so its free slots are the last ones).
     */
    void put(byte[] buf, int from, int to, long hash, Labels value) {
        if (!matches(buf, from, to, value)) {
            return;
        }
        int base = setOf(hash);
        System.arraycopy(labels, base, labels, base + 1, WAYS - 1);
        labels[base] = new LabelSlot(hash, value);
    }

    private static int setOf(long hash) {
        return ((int) hash & (LABEL_SETS - 1)) * WAYS;
    }

    /** The UTF-8 string in {@code buf[off, off + len)}, shared with earlier requests when it was seen. */
    String string(byte[] buf, int off, int len) {
        if (len > MAX_SHARED_STRING_BYTES) {
            return new String(buf, off, len, StandardCharsets.UTF_8);
        }
        long h = hash(buf, off, off + len);
        int i = (int) h & (STRING_SLOTS - 1);
        StringSlot s = strings[i];
        if (s != null && s.hash == h && sameAscii(buf, off, len, s.value)) {
            return s.value;
        }
        // Interned, as the head interns the labels of its series: then it keeps these very strings.
        String v = new String(buf, off, len, StandardCharsets.UTF_8).intern();
        strings[i] = new StringSlot(h, v);
        return v;
    }

    /**
     * True when the label fields in {@code buf[from, to)} (TimeSeries field 1, each a Label with name and
     * value) are exactly {@code l}'s labels in its order. The bytes were checked by the decoder's first
     * pass; anything unexpected here is simply no match.
     */
    static boolean matches(byte[] buf, int from, int to, Labels l) {
        int p = from;
        int i = 0;
        while (p < to) {
            if (buf[p++] != 0x0A || i >= l.size()) {
                return false;
            }
            long len = 0;
            for (int shift = 0; ; shift += 7) {
                if (p >= to || shift > 28) {
                    return false;
                }
                byte b = buf[p++];
                len |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    break;
                }
            }
            int end = p + (int) len;
            if (len > to - p) {
                return false;
            }
            // Exactly name (field 1) then value (field 2), each with a one-byte length: the usual encoding.
            if (end - p < 4 || buf[p] != 0x0A || buf[p + 1] < 0) {
                return false;
            }
            int nameLen = buf[p + 1];
            int q = p + 2 + nameLen;
            if (q + 2 > end || buf[q] != 0x12 || buf[q + 1] < 0 || q + 2 + buf[q + 1] != end) {
                return false;
            }
            if (!sameAscii(buf, p + 2, nameLen, l.name(i)) || !sameAscii(buf, q + 2, buf[q + 1], l.value(i))) {
                return false;
            }
            i++;
            p = end;
        }
        return i == l.size();
    }

    /** True when {@code s} is ASCII and its characters are {@code buf[off, off + len)}. */
    private static boolean sameAscii(byte[] buf, int off, int len, String s) {
        if (s.length() != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            char c = s.charAt(k);
            if (c >= 0x80 || c != buf[off + k]) {
                return false;
            }
        }
        return true;
    }

    /** A 64-bit hash of {@code buf[from, to)}, eight bytes at a time. */
    static long hash(byte[] buf, int from, int to) {
        long h = 0x9E3779B97F4A7C15L ^ (to - from);
        int p = from;
        for (; p + 8 <= to; p += 8) {
            h = mix(h, (long) LONGS.get(buf, p));
        }
        long tail = 0;
        for (int shift = 0; p < to; p++, shift += 8) {
            tail |= (buf[p] & 0xFFL) << shift;
        }
        h = mix(h, tail);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }

    private static long mix(long h, long k) {
        k *= 0x87C37B91114253D5L;
        k = Long.rotateLeft(k, 31);
        k *= 0x4CF5AD432745937FL;
        h ^= k;
        return Long.rotateLeft(h, 27) * 5 + 0x52DCE729;
    }
}
