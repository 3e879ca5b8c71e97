package io.sightline.tsdb.rollup;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.StaleNaN;

/**
 * Summarises the samples of a series window by window: windows are {@code [w, w + resolution)} with
 * {@code w} a multiple of the resolution, and each window with samples yields one sample stamped at its
 * last millisecond ({@code w + resolution - 1}), so a rollup never shows a value before the time it
 * summarises. Stale markers count only for {@link Read#LAST}; a window of nothing but stale markers
 * yields nothing for the other reads. Fed rollups of a finer resolution read with
 * {@link Aggregate#combinedBy()}, it yields the same windows as from the raw samples.
 */
public final class RollupIterator implements SampleIterator {
    private final SampleIterator src;
    private final Read read;
    private final long resolution;
    private final long from;
    private final long maxStamp;
    /** Whether {@link #src} is positioned on a sample not yet consumed. */
    private boolean pending;
    private boolean started;
    private boolean done;
    private long t;
    private double v;

    public RollupIterator(SampleIterator src, Read read, long resolution) {
        this(src, read, resolution, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public RollupIterator(SampleIterator src, Read read, long resolution, long from) {
        this(src, read, resolution, from, Long.MAX_VALUE);
    }

    /**
     * @param from samples before this are not read (a multiple of the resolution, or
     *     {@code Long.MIN_VALUE})
     * @param maxStamp the latest stamp: the window that holds it (the source ends there) is stamped
     *     there rather than at its end, so a reader of the range up to it sees that window's samples
     */
    public RollupIterator(SampleIterator src, Read read, long resolution, long from, long maxStamp) {
        if (resolution <= 0) {
            throw new IllegalArgumentException("resolution must be positive, got " + resolution);
        }
        if (read.stored() == null) {
            throw new IllegalArgumentException("BUG: " + read + " combines two reads (RollupQuerier)");
        }
        this.src = src;
        this.read = read;
        this.resolution = resolution;
        this.from = from;
        this.maxStamp = maxStamp;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        if (!started) {
            started = true;
            pending = from == Long.MIN_VALUE ? src.next() : src.seek(from);
        }
        return window();
    }

    @Override
    public boolean seek(long target) {
        if (done) {
            return false;
        }
        if (started && t >= target) {
            return true;
        }
        // Windows stamped at or after target are those from the one containing target on.
        long first = Math.max(from, Math.floorDiv(target, resolution) * resolution);
        if (!started) {
            started = true;
            pending = src.seek(first);
        } else if (pending && src.timestamp() < first) {
            pending = src.seek(first);
        }
        return window();
    }

    /** Reads the next window with something to yield from the pending sample on. */
    private boolean window() {
        while (pending) {
            long w = Math.floorDiv(src.timestamp(), resolution) * resolution;
            long end = w + resolution;
            long count = 0;
            double sum = 0;
            double min = Double.NaN;
            double max = Double.NaN;
            double last = 0;
            boolean any = false;
            do {
                double x = src.value();
                last = x;
                any = true;
                if (!StaleNaN.is(x)) {
                    count++;
                    sum += x;
                    // As min_over_time and max_over_time: a NaN is replaced by whatever comes next.
                    if (count == 1 || x < min || Double.isNaN(min)) {
                        min = x;
                    }
                    if (count == 1 || x > max || Double.isNaN(max)) {
                        max = x;
                    }
                }
                pending = src.next();
            } while (pending && src.timestamp() < end);
            double out;
            switch (read) {
                case LAST -> out = last;
                case COUNT -> out = count;
                case SUM -> out = sum;
                case MIN -> out = min;
                case MAX -> out = max;
                default -> throw new IllegalStateException("BUG: " + read);
            }
            if (read == Read.LAST ? any : count > 0) {
                t = Math.min(end - 1, maxStamp);
                v = out;
                return true;
            }
        }
        done = true;
        return false;
    }

    @Override
    public long timestamp() {
        return t;
    }

    @Override
    public double value() {
        return v;
    }
}
