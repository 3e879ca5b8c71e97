package io.sightline.tsdb.chunk;

/**
 * Arrays that one reader decodes chunk after chunk into, instead of new ones per chunk (a query over a
 * day of 20,000 series would otherwise allocate over a gigabyte). An iterator made with them is valid
 * until the next chunk is decoded into the same buffers. Not thread-safe.
 */
public final class DecodeBuffers {
    private long[] ts = new long[0];
    private double[] vs = new double[0];
    private byte[] raw = new byte[0];
    private long[] words = new long[0];

    long[] timestamps(int n) {
        if (ts.length < n) {
            ts = new long[grow(ts.length, n)];
        }
        return ts;
    }

    double[] values(int n) {
        if (vs.length < n) {
            vs = new double[grow(vs.length, n)];
        }
        return vs;
    }

    long[] words(int n) {
        if (words.length < n) {
            words = new long[grow(words.length, n)];
        }
        return words;
    }

    byte[] raw(int n) {
        if (raw.length < n) {
            raw = new byte[grow(raw.length, n)];
        }
        return raw;
    }

    private static int grow(int have, int need) {
        return (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, have + (have >> 1)));
    }
}
