package io.sightline.scrape;

import io.sightline.tsdb.StorageException;
import java.util.concurrent.atomic.LongAdder;

/** Counters over all scrape loops, for the self-metrics. Thread-safe. */
public final class ScrapeStats {
    final LongAdder scrapes = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder samples = new LongAdder();
    final LongAdder sampleLimitExceeded = new LongAdder();
    final LongAdder outOfOrder = new LongAdder();
    final LongAdder duplicate = new LongAdder();
    final LongAdder tooOld = new LongAdder();
    final LongAdder otherRejected = new LongAdder();
    final LongAdder fileSdErrors = new LongAdder();

    void rejected(StorageException.SampleRejected e) {
        if (e instanceof StorageException.OutOfOrderSample) {
            outOfOrder.increment();
        } else if (e instanceof StorageException.DuplicateSample) {
            duplicate.increment();
        } else if (e instanceof StorageException.TooOldSample) {
            tooOld.increment();
        } else {
            otherRejected.increment();
        }
    }

    /** Scrapes stored, failed ones included. */
    public long scrapes() {
        return scrapes.sum();
    }

    /** Scrapes that failed (request, body, sample limit). */
    public long failed() {
        return failed.sum();
    }

    /** Ticks skipped because the target's previous scrape was still running. */
    public long skipped() {
        return skipped.sum();
    }

    /** Samples stored from scraped bodies (report series not included). */
    public long samples() {
        return samples.sum();
    }

    public long sampleLimitExceeded() {
        return sampleLimitExceeded.sum();
    }

    /** Samples the store refused as out of order. */
    public long outOfOrder() {
        return outOfOrder.sum();
    }

    /** Samples the store refused as a second value at an existing timestamp. */
    public long duplicate() {
        return duplicate.sum();
    }

    /** Samples the store refused as older than it accepts. */
    public long tooOld() {
        return tooOld.sum();
    }

    /** Samples the store refused for another reason (a limit, invalid labels). */
    public long otherRejected() {
        return otherRejected.sum();
    }

    /** file_sd files that could not be read or parsed (their previous targets were kept). */
    public long fileSdErrors() {
        return fileSdErrors.sum();
    }
}
