package io.sightline.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.SeriesSet;

/** Series {@code m{s="0"} ... m{s="n-1"}} with a sample every {@code step} ms from 0 to {@code end}. */
final class GridData {
    /** The value of series {@code s} at {@code t}. */
    interface Value {
        double at(int s, long t);
    }

    private GridData() {}

    static void append(TsdbStorage store, int series, long end, long step, Value value) throws Exception {
        append(store, series, 0, end, step, value);
    }

    /** The samples of [from, to): one commit per timestamp. */
    static void append(TsdbStorage store, int series, long from, long to, long step, Value value) throws Exception {
        for (long t = from; t < to; t += step) {
            Appender a = store.appender();
            for (int s = 0; s < series; s++) {
                a.append(0, Labels.of("__name__", "m", "s", Integer.toString(s)), t, value.at(s, t));
            }
            a.commit();
        }
    }

    /** Reads {@code set} to its end: every series, every sample once, in order, with its value. */
    static void assertComplete(SeriesSet set, int series, long end, long step, Value value) {
        int seen = 0;
        while (set.next()) {
            int s = Integer.parseInt(set.at().labels().get("s"));
            SampleIterator it = set.at().iterator(null);
            long t = 0;
            while (it.next()) {
                assertThat(it.timestamp()).isEqualTo(t);
                assertThat(it.value()).isEqualTo(value.at(s, t));
                t += step;
            }
            assertThat(t).as("series %d read to its end", s).isEqualTo(end);
            seen++;
        }
        assertThat(seen).isEqualTo(series);
    }
}
