package io.sightline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.common.Labels;
import io.sightline.tsdb.ArraySampleIterator;
import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockRewriteTest {
    @Test
    void rewritesABlockAndFindsEverySampleEqual(@TempDir Path dir) throws Exception {
        Random r = new Random(3);
        List<BlockWriter.SeriesSource> series = new ArrayList<>();
        for (int s = 0; s < 20; s++) {
            int n = 500;
            long[] ts = new long[n];
            double[] vs = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = 1_000_000L + i * 15_000L;
                vs[i] = s % 2 == 0 ? i * 7 : r.nextGaussian();
            }
            Labels labels = Labels.of("__name__", "m", "s", String.format("%02d", s));
            series.add(new BlockWriter.SeriesSource() {
                @Override
                public Labels labels() {
                    return labels;
                }

                @Override
                public SampleIterator samples() {
                    return new ArraySampleIterator(ts, vs, n);
                }
            });
        }
        BlockMeta meta = BlockWriter.write(dir, 1_000_000L, 1_000_000L + 500 * 15_000L, 1, List.of(), series);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            BlockRewrite.main(new String[] {dir.resolve(meta.id()).toString()});
        } finally {
            System.setOut(out);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("10,000 samples, 20 series").contains("every sample equal (10,000)");
    }
}
