package io.sightline.ingest.influx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.ingest.SeriesSink;
import io.sightline.testkit.Mutations;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineProtocolParserTest {
    static final long NOW = 1_795_000_000_000L;

    static List<String> parse(String body, LineProtocolParser.Precision p, String db) {
        List<String> out = new ArrayList<>();
        LineProtocolParser.parse(body, p, db, NOW, new SeriesSink() {
            @Override
            public void series(Labels labels, long[] timestamps, double[] values, int count) {
                out.add(labels + " " + values[0] + " " + timestamps[0]);
            }

            @Override
            public void invalid(String series, String reason, int samples) {
                out.add("INVALID " + series + ": " + reason);
            }
        });
        return out;
    }

    @Test
    void fields_becomeSeries_namedMeasurementUnderscoreField() {
        List<String> got = parse("cpu,host=a,region=eu usage_user=1.5,usage_system=2i,up=true,cores=8u,note=\"hi, there\""
                + " 1700000000123456789\n", LineProtocolParser.Precision.NS, null);
        assertThat(got).containsExactly(
                "cpu_usage_user{host=\"a\", region=\"eu\"} 1.5 1700000000123",
                "cpu_usage_system{host=\"a\", region=\"eu\"} 2.0 1700000000123",
                "cpu_up{host=\"a\", region=\"eu\"} 1.0 1700000000123",
                "cpu_cores{host=\"a\", region=\"eu\"} 8.0 1700000000123");
    }

    @Test
    void valueField_escapes_sanitizing_dbLabel_andMissingTimestamp() {
        List<String> got = parse("""
                # comment
                my\\ measurement,loc=us\\,midwest,k\\=x=v\\ w value=82

                disk.io,dev=sda read-bytes=1e3,ok=F 1700000000
                """, LineProtocolParser.Precision.S, "telegraf");
        assertThat(got).containsExactly(
                "my_measurement{db=\"telegraf\", k_x=\"v w\", loc=\"us,midwest\"} 82.0 " + NOW,
                "disk_io_read_bytes{db=\"telegraf\", dev=\"sda\"} 1000.0 1700000000000",
                "disk_io_ok{db=\"telegraf\", dev=\"sda\"} 0.0 1700000000000");
        assertThat(parse("m,db=mine v=1\n", LineProtocolParser.Precision.NS, "other"))
                .containsExactly("m_v{db=\"mine\"} 1.0 " + NOW);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"n, 1700000000000", "ns, 1700000000000", "us, 1700000000000000", "u, 1700000000000000",
        "ms, 1700000000000000000", "s, -1", "h, -1"})
    void precision_convertsToMilliseconds(String precision, long expectedMs) {
        LineProtocolParser.Precision p = LineProtocolParser.Precision.parse(precision);
        List<String> got = parse("m v=1 1700000000000000000\n", p, null);
        if (expectedMs < 0) {
            assertThat(got).singleElement().asString().startsWith("INVALID line 1: timestamp 1700000000000000000 out of range");
        } else {
            assertThat(got).containsExactly("m_v " + "1.0 " + expectedMs);
        }
    }

    @Test
    void malformedLines_areRefusedOneByOne_withLineNumbers() {
        List<String> got = parse("""
                good v=1 1700000000000000000
                no_fields
                bad v=abc
                bad2 v=1 12x
                bad3,t v=1
                bad4 v="unterminated
                neg v=-1u
                good2 v=2i
                """, LineProtocolParser.Precision.NS, null);
        assertThat(got).containsExactly(
                "good_v 1.0 1700000000000",
                "INVALID line 2: expected 'space' after measurement and tags at column 10",
                "INVALID line 3: invalid value \"abc\" of field v at column 10",
                "INVALID line 4: invalid timestamp \"12x\" at column 13",
                "INVALID line 5: expected '=' after tag t at column 7",
                "INVALID line 6: unterminated string value of field v at column 21",
                "INVALID line 7: negative unsigned integer \"-1u\" in field v at column 10",
                "good2_v 2.0 " + NOW);
    }

    /** Property: random mutations never escape as an exception; every line is stored or refused. */
    @Test
    void mutatedBodies_neverThrow_seeded() {
        String base = "cpu,host=a usage=1.5,n=2i,b=t,s=\"x\" 1700000000000000000\nmem,h=b\\ c free=3 1700000001000000000\n";
        String alphabet = ",= \\\"\n0123456789.eEiu-+tfabcxyz#";
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            String mutated = Mutations.mutate(r, base, alphabet);
            try {
                parse(mutated, LineProtocolParser.Precision.NS, "db");
            } catch (RuntimeException e) {
                throw new AssertionError("case " + i + " threw " + e + " for:\n" + mutated, e);
            }
        }
    }
}
