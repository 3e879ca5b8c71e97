package io.sightline.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Property: for every query of the PromQL corpus that parses, printing it and parsing the print gives
 * the same print (the printer emits valid PromQL that means the same tree).
 */
class PrinterRoundTripTest {

    private static final Pattern EVAL = Pattern.compile(
            "^eval(?:_\\w+)?\\s+(?:instant\\s+at\\s+\\S+|range\\s+from\\s+\\S+\\s+to\\s+\\S+\\s+step\\s+\\S+)\\s+(.+)$");

    @Test
    void everyCorpusQuery_roundTrips() throws Exception {
        Path dir = io.sightline.promql.SharedCorpus.directory();
        assumeTrue(dir != null, "../shared/conformance/promql is absent (a user's clone)");
        List<String> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".test")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    Matcher m = EVAL.matcher(line.strip());
                    if (m.matches()) {
                        queries.add(m.group(1));
                    }
                }
            }
        }
        assertThat(queries).hasSizeGreaterThan(1000);
        int parsed = 0;
        for (String q : queries) {
            io.sightline.promql.ast.Expr e;
            try {
                e = Parser.parse(q);
            } catch (ParseException ex) {
                continue;
            }
            parsed++;
            String printed = Printer.print(e);
            String again;
            try {
                again = Printer.print(Parser.parse(printed));
            } catch (ParseException ex) {
                throw new AssertionError("printed form of " + q + " does not parse: " + printed + ": " + ex.getMessage());
            }
            assertThat(again).as("round trip of %s", q).isEqualTo(printed);
        }
        assertThat(parsed).isGreaterThan(1000);
    }
}
