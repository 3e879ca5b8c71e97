package io.sightline.ingest;

/**
 * The lines of a line-protocol body (Graphite, StatsD, Influx), split at {@code \n}, numbered from 1;
 * a last line without a newline counts, an empty tail after a final newline does not. Use:
 * {@code for (Lines l = new Lines(body); l.next(); ) { ... l.number() ... l.text() ... }}.
 */
public final class Lines {
    private final String body;
    private int pos;
    private int number;
    private String text;

    public Lines(String body) {
        this.body = body;
    }

    /** Moves to the next line; false at the end of the body. */
    public boolean next() {
        if (pos >= body.length()) {
            return false;
        }
        int end = body.indexOf('\n', pos);
        if (end < 0) {
            end = body.length();
        }
        text = body.substring(pos, end);
        pos = end + 1;
        number++;
        return true;
    }

    /** The current line's number, from 1. */
    public int number() {
        return number;
    }

    /** The current line, without its {@code \n} (a {@code \r} before it is kept). */
    public String text() {
        return text;
    }

    /** The same over bytes, for bodies read from a socket and decoded line by line. */
    public static final class OfBytes {
        private final byte[] data;
        private final int to;
        private int pos;
        private int start;
        private int end;
        private int number;

        /** The lines of {@code data[from, to)}. */
        public OfBytes(byte[] data, int from, int to) {
            this.data = data;
            this.pos = from;
            this.to = to;
        }

        public boolean next() {
            if (pos >= to) {
                return false;
            }
            start = pos;
            end = pos;
            while (end < to && data[end] != '\n') {
                end++;
            }
            pos = end + 1;
            number++;
            return true;
        }

        /** The current line's number, from 1. */
        public int number() {
            return number;
        }

        /** Where the current line starts in the array. */
        public int start() {
            return start;
        }

        /** The current line's length in bytes, without its {@code \n}. */
        public int length() {
            return end - start;
        }
    }
}
