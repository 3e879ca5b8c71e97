package io.sightline.tsdb;

import io.sightline.common.Labels;

/**
 * A storage failure with its cause as a type, so that callers (the HTTP layer) map types to status codes
 * and never match on messages. Messages follow {@code cannot <verb> <object> [key=value]: cause}.
 */
public class StorageException extends Exception {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** One sample could not be stored; the rest of the batch is unaffected. A client error (4xx). */
    public abstract static class SampleRejected extends StorageException {
        private static final long serialVersionUID = 1L;

        SampleRejected(String message) {
            super(message, null);
        }
    }

    /** Older than the newest sample of its series and outside the out-of-order window. */
    public static final class OutOfOrderSample extends SampleRejected {
        private static final long serialVersionUID = 1L;

        public OutOfOrderSample(Labels series, long t, long seriesMaxT) {
            super("cannot append sample series=" + series + " t=" + t + ": out of order (series has t=" + seriesMaxT
                    + " already, and out-of-order samples are not accepted)");
        }
    }

    /** Older than the storage accepts at all: before the newest data minus the out-of-order window. */
    public static final class TooOldSample extends SampleRejected {
        private static final long serialVersionUID = 1L;

        public TooOldSample(Labels series, long t, long minValidT) {
            super("cannot append sample series=" + series + " t=" + t + ": too old (the oldest timestamp accepted now is "
                    + minValidT + ")");
        }
    }

    /** Same timestamp as a stored sample of the series, with a different value. */
    public static final class DuplicateSample extends SampleRejected {
        private static final long serialVersionUID = 1L;

        public DuplicateSample(Labels series, long t) {
            super("cannot append sample series=" + series + " t=" + t
                    + ": duplicate sample for timestamp with a different value");
        }
    }

    /** The label set is unusable as a series identity (empty). */
    public static final class InvalidLabels extends SampleRejected {
        private static final long serialVersionUID = 1L;

        public InvalidLabels(String message) {
            super(message);
        }
    }

    /** A configured limit would be broken; names the limit so that the user knows which knob to turn. */
    public static final class LimitExceeded extends SampleRejected {
        private static final long serialVersionUID = 1L;
        private final String limit;

        public LimitExceeded(String limit, String message) {
            super(message);
            this.limit = limit;
        }

        /** The limit's config key, e.g. {@code max_series}. */
        public String limit() {
            return limit;
        }
    }
}
