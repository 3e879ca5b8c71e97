package io.sightline.ingest.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.otlp.DeltaAccumulator;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;
import io.sightline.ingest.remotewrite.RemoteWriteV2Decoder;

/**
 * Coverage-guided fuzzing (Jazzer) of the protobuf and JSON push formats added after the first ones:
 * remote write 2.0 and OTLP metrics. The property is {@link ParserFuzzTest}'s: decode, or throw
 * {@link MalformedRequestException} having handed nothing to the sink; translation of whatever decoded
 * never throws.
 */
class ProtoFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void remoteWriteV2(byte[] data) {
        ParserFuzzTest.CheckingSink sink = new ParserFuzzTest.CheckingSink();
        try {
            new RemoteWriteV2Decoder(1 << 20).decode(data, 0, data.length, sink);
        } catch (MalformedRequestException e) {
            if (sink.calls != 0) {
                throw new AssertionError("a malformed request reached the sink", e);
            }
        }
    }

    @FuzzTest(maxDuration = "30s")
    void otlp(FuzzedDataProvider data) {
        boolean json = data.consumeBoolean();
        ExportMetricsServiceRequest r;
        try {
            r = json ? OtlpMetricsTranslator.parseJson(data.consumeRemainingAsString())
                    : OtlpMetricsTranslator.parseProtobuf(data.consumeRemainingAsBytes());
        } catch (MalformedRequestException e) {
            return;
        }
        new OtlpMetricsTranslator(new DeltaAccumulator(60_000, 1000)).translate(r, 1_795_000_000_000L,
                new ParserFuzzTest.CheckingSink());
    }
}
