package io.sightline.ingest.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import org.junit.jupiter.api.Test;

/** Delta totals move only with requests that were stored. */
class DeltaAccumulatorTest {
    static final Labels S = Labels.of("__name__", "jobs_total");

    static double value(DeltaAccumulator.Result r) {
        assertThat(r).isInstanceOf(DeltaAccumulator.Accepted.class);
        return ((DeltaAccumulator.Accepted) r).cumulative();
    }

    @Test
    void aBatchNotCommitted_leavesTheTotals_soARetryCountsOnce() {
        DeltaAccumulator acc = new DeltaAccumulator(3_600_000, 100);
        DeltaAccumulator.Batch first = acc.batch();
        assertThat(value(first.add(S, 1000, 3))).isEqualTo(3);
        first.commit();
        DeltaAccumulator.Batch failed = acc.batch();
        assertThat(value(failed.add(S, 2000, 4))).isEqualTo(7); // the store failed: no commit
        DeltaAccumulator.Batch retry = acc.batch();
        assertThat(value(retry.add(S, 2000, 4))).as("the retried delta is not refused").isEqualTo(7);
        retry.commit();
        assertThat(value(acc.batch().add(S, 3000, 1))).isEqualTo(8);
    }

    @Test
    void deltasWithinABatch_accumulate_andOutOfOrderOnesAreRefused() {
        DeltaAccumulator acc = new DeltaAccumulator(3_600_000, 100);
        DeltaAccumulator.Batch b = acc.batch();
        assertThat(value(b.add(S, 1000, 1))).isEqualTo(1);
        assertThat(value(b.add(S, 2000, 2))).isEqualTo(3);
        assertThat(b.add(S, 2000, 5)).isInstanceOf(DeltaAccumulator.Refused.class);
        b.commit();
        assertThat(acc.batch().add(S, 1500, 1)).isInstanceOf(DeltaAccumulator.Refused.class);
    }

    @Test
    void twoBatchesFromTheSameTotal_bothCount() {
        DeltaAccumulator acc = new DeltaAccumulator(3_600_000, 100);
        DeltaAccumulator.Batch seed = acc.batch();
        seed.add(S, 1000, 10);
        seed.commit();
        DeltaAccumulator.Batch a = acc.batch();
        DeltaAccumulator.Batch b = acc.batch();
        assertThat(value(a.add(S, 2000, 3))).isEqualTo(13);
        assertThat(value(b.add(S, 3000, 4))).isEqualTo(14);
        a.commit();
        b.commit();
        assertThat(value(acc.batch().add(S, 4000, 0))).as("10 + 3 + 4").isEqualTo(17);
    }

    @Test
    void seriesLimit_countsStagedSeries() {
        DeltaAccumulator acc = new DeltaAccumulator(3_600_000, 2);
        DeltaAccumulator.Batch b = acc.batch();
        b.add(Labels.of("__name__", "a"), 1000, 1);
        b.add(Labels.of("__name__", "b"), 1000, 1);
        assertThat(b.add(Labels.of("__name__", "c"), 1000, 1)).isInstanceOf(DeltaAccumulator.Refused.class);
    }
}
