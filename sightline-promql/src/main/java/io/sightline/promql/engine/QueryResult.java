package io.sightline.promql.engine;

import io.sightline.common.Labels;
import io.sightline.promql.ast.ValueType;
import java.util.List;

/**
 * The outcome of a query: a value of one of the four PromQL types and the annotations raised.
 * Instant queries give a scalar, a string, a vector or (for a range-vector expression) a matrix;
 * range queries give a matrix (or a scalar/string evaluated at every step, as a matrix).
 */
public record QueryResult(Value value, Annotations annotations, Stats stats) {

    /**
     * Counters and timings for {@code stats=all}.
     *
     * @param evalNanos the whole evaluation, selects included (Sightline reads series as it evaluates)
     * @param sortNanos of that, ordering a matrix's series by labels
     * @param queueNanos the wait for a free query slot before the evaluation, set by whoever queued it
     */
    public record Stats(long samplesLoaded, long peakSamples, long evalNanos, long sortNanos, long queueNanos) {
        public Stats withQueueNanos(long nanos) {
            return new Stats(samplesLoaded, peakSamples, evalNanos, sortNanos, nanos);
        }
    }

    /** This result with its wait for a query slot in its stats. */
    public QueryResult withQueueNanos(long nanos) {
        return new QueryResult(value, annotations, stats.withQueueNanos(nanos));
    }

    public ValueType type() {
        return value.type();
    }

    public sealed interface Value {
        ValueType type();
    }

    public record Scalar(long t, double v) implements Value {
        @Override
        public ValueType type() {
            return ValueType.SCALAR;
        }
    }

    public record Str(long t, String v) implements Value {
        @Override
        public ValueType type() {
            return ValueType.STRING;
        }
    }

    public record Sample(Labels metric, long t, double v) {}

    public record Vector(List<Sample> samples) implements Value {
        @Override
        public ValueType type() {
            return ValueType.VECTOR;
        }
    }

    /** A series of a matrix: timestamps (ms) and values, ascending and of equal length. */
    public record Series(Labels metric, long[] timestamps, double[] values) {}

    public record Matrix(List<Series> series) implements Value {
        @Override
        public ValueType type() {
            return ValueType.MATRIX;
        }
    }
}
