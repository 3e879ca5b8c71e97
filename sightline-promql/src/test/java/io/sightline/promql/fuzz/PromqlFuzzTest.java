package io.sightline.promql.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sightline.common.Labels;
import io.sightline.promql.ast.Expr;
import io.sightline.promql.ast.ValueType;
import io.sightline.promql.engine.Engine;
import io.sightline.promql.engine.EngineOptions;
import io.sightline.promql.engine.QueryException;
import io.sightline.promql.parser.ParseException;
import io.sightline.promql.parser.Parser;
import io.sightline.promql.parser.Printer;
import io.sightline.tsdb.Appender;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;
import java.time.Duration;

/**
 * Coverage-guided fuzzing of PromQL (Jazzer): any text either parses or fails with a
 * {@link ParseException}; whatever parses prints to text that parses to the same print; and evaluating
 * it, instant and range, over a small store either answers or fails with a {@link QueryException},
 * within tight limits. No other exception, and no hang.
 *
 * <p>The regex-injection sanitizer is off for this module: compiling the regular expressions a query
 * writes is what label matchers are for; the matcher's work budget (LabelMatcher.MATCH_BUDGET) is what
 * bounds a hostile one.
 */
class PromqlFuzzTest {

    private static final MemoryStorage STORAGE = storage();
    private static final Engine ENGINE = new Engine(new EngineOptions(Duration.ofMinutes(5), Duration.ofMinutes(1),
            20_000, 1_000, Duration.ofSeconds(2)));

    private static MemoryStorage storage() {
        MemoryStorage s = new MemoryStorage(StorageOptions.DEFAULTS);
        Appender a = s.appender();
        try {
            for (int i = 0; i < 20; i++) {
                long t = i * 15_000L;
                a.append(0, Labels.of("__name__", "http_requests_total", "job", "api", "code", "200"), t, i * 10.0);
                a.append(0, Labels.of("__name__", "http_requests_total", "job", "api", "code", "500"), t, i);
                a.append(0, Labels.of("__name__", "up", "job", "api", "instance", "a"), t, i % 3 == 0 ? 0 : 1);
                a.append(0, Labels.of("__name__", "latency_bucket", "le", i % 2 == 0 ? "0.5" : "+Inf"), t, i);
                a.append(0, Labels.of("__name__", "target_info", "job", "api", "instance", "a", "v", "1"), t, 1);
            }
            a.commit();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    @FuzzTest(maxDuration = "30s")
    void parseAndEvaluate(FuzzedDataProvider data) {
        String query = data.consumeRemainingAsString();
        Expr e;
        try {
            e = Parser.parse(query);
        } catch (ParseException ex) {
            return;
        }
        String printed = Printer.print(e);
        String again;
        try {
            again = Printer.print(Parser.parse(printed));
        } catch (ParseException ex) {
            throw new AssertionError("printed form does not parse: " + printed + ": " + ex.getMessage(), ex);
        }
        if (!again.equals(printed)) {
            throw new AssertionError("print is not stable: " + printed + " then " + again);
        }
        try {
            ENGINE.instantQuery(STORAGE, e, query, 200_000);
        } catch (QueryException ex) {
            // a clear failure is fine
        }
        if (e.type() == ValueType.SCALAR || e.type() == ValueType.VECTOR) {
            try {
                ENGINE.rangeQuery(STORAGE, e, query, 0, 300_000, 15_000);
            } catch (QueryException ex) {
                // a clear failure is fine
            }
        }
    }
}
