package io.sightline.testkit.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.Querier;
import io.sightline.tsdb.StaleNaN;
import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageException;
import io.sightline.tsdb.StorageOptions;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The storage contract plus what persistence promises: after close and reopen, the store holds exactly
 * what was committed (samples bit-exact, out-of-order merges, deletions), and keeps accepting writes by
 * the same rules.
 */
public abstract class DurableStorageContract extends StorageContract {
    /** Closes {@code s} and opens the same data again with the same options. */
    protected abstract Storage reopen(Storage s, StorageOptions options) throws Exception;

    @Test
    void reopen_restoresEverythingCommitted_andNothingRolledBack() throws Exception {
        StorageOptions options = StorageOptions.DEFAULTS;
        Storage s = open(options);
        Labels a = series("m", "k", "a");
        Labels b = series("m", "k", "b");
        appendAll(s, a, T0, 1, T0 + 1000, 2, T0 + 2000, 3);
        appendAll(s, b, T0, 10);
        Appender ooo = s.appender();
        ooo.append(0, a, T0 + 500, 1.5);
        ooo.append(0, b, T0 + 3000, StaleNaN.VALUE);
        ooo.commit();
        Appender rolledBack = s.appender();
        rolledBack.append(0, a, T0 + 9000, 99);
        rolledBack.rollback();
        s.delete(T0 + 1000, T0 + 1000, LabelMatcher.equal("k", "a"));
        Map<Labels, TreeMap<Long, Long>> before = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "m"));

        Storage again = reopen(s, options);
        assertThat(read(again, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "m"))).isEqualTo(before);
        assertThat(before.get(a).keySet()).containsExactly(T0, T0 + 500, T0 + 2000);
        assertThat(again.stats().series()).isEqualTo(2);
        try (Querier q = again.querier(0, Long.MAX_VALUE)) {
            assertThat(q.labelValues("k")).containsExactly("a", "b");
        }
        // Same rules after the restart: the duplicate is refused, new data lands.
        Appender next = again.appender();
        try {
            next.append(0, a, T0 + 2000, 4);
            throw new AssertionError("duplicate accepted after reopen");
        } catch (StorageException.DuplicateSample expected) {
            // as before the restart
        }
        next.append(0, a, T0 + 4000, 5);
        next.commit();
        assertThat(read(reopen(again, options), 0, Long.MAX_VALUE, LabelMatcher.equal("k", "a")).get(a)).hasSize(4);
    }

    /** Property: reopening at random points never changes what queries return. */
    @Test
    void randomBatches_withReopens_agreeWithTheModel_seeded() throws Exception {
        StorageOptions options = StorageOptions.DEFAULTS.withOutOfOrderWindowMs(600_000);
        Storage s = open(options);
        StorageModel model = new StorageModel(options);
        Random r = new Random(99);
        long clock = T0;
        for (int batch = 0; batch < 120; batch++) {
            Appender a = s.appender();
            for (int i = 0; i < 1 + r.nextInt(40); i++) {
                Labels l = series("d", "s", Integer.toString(r.nextInt(15)));
                long t = r.nextInt(4) == 0 ? clock - r.nextInt(700_000) : clock + r.nextInt(20_000);
                double v = r.nextInt(6) == 0 ? StaleNaN.VALUE : r.nextGaussian();
                StorageModel.Outcome expected = model.append(l, t, v);
                try {
                    a.append(0, l, t, v);
                    assertThat(expected).isIn(StorageModel.Outcome.ACCEPTED, StorageModel.Outcome.IGNORED_DUPLICATE);
                } catch (StorageException.SampleRejected e) {
                    assertThat(expected).isNotIn(StorageModel.Outcome.ACCEPTED, StorageModel.Outcome.IGNORED_DUPLICATE);
                }
            }
            a.commit();
            model.commit();
            clock += r.nextInt(30_000);
            if (r.nextInt(15) == 0) {
                s = reopen(s, options);
            }
        }
        s = reopen(s, options);
        Map<Labels, TreeMap<Long, Long>> got = read(s, 0, Long.MAX_VALUE, LabelMatcher.equal("__name__", "d"));
        Map<Labels, TreeMap<Long, Long>> expected = new TreeMap<>();
        for (Labels l : model.series()) {
            expected.put(l, model.samples(l, 0, Long.MAX_VALUE));
        }
        assertThat(got).isEqualTo(expected);
    }
}
