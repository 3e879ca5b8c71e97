package io.sightline.bench;

import io.sightline.tsdb.SampleIterator;
import io.sightline.tsdb.block.Block;
import io.sightline.tsdb.block.BlockMeta;
import io.sightline.tsdb.block.BlockWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What blocks would take if the current writer wrote them: rewrites each block given (a block directory of a
 * data dir, left untouched) into a temporary directory, prints both sizes in bytes per sample and the time
 * the write took, then checks that every sample of the rewrite is the original's, timestamps and value bits.
 * For comparing chunk encodings on real data without a new ingest.
 *
 * <pre>java -cp sightline-bench/target/benchmarks.jar io.sightline.bench.BlockRewrite DATA/blocks/ULID...</pre>
 */
public final class BlockRewrite {
    private BlockRewrite() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: BlockRewrite BLOCK_DIR...");
            System.exit(2);
        }
        for (String arg : args) {
            rewrite(Path.of(arg));
        }
    }

    private static void rewrite(Path dir) throws IOException {
        Block block = Block.open(dir);
        BlockMeta meta = block.meta();
        Path out = Files.createTempDirectory("block-rewrite");
        try {
            long t0 = System.nanoTime();
            BlockMeta written = BlockWriter.write(out, meta.minTime(), meta.maxTime(), meta.compaction().level(),
                    meta.compaction().sources(), block.seriesSources());
            long writeMs = (System.nanoTime() - t0) / 1_000_000;
            double samples = meta.stats().numSamples();
            System.out.printf("%s: %,d samples, %,d series; as written %.4f B/sample (index %,d, chunks %,d); "
                    + "rewritten %.4f B/sample (index %,d, chunks %,d) in %,d ms%n", dir.getFileName(),
                    meta.stats().numSamples(), meta.stats().numSeries(),
                    (meta.files().index() + meta.files().chunks()) / samples, meta.files().index(),
                    meta.files().chunks(), (written.files().index() + written.files().chunks()) / samples,
                    written.files().index(), written.files().chunks(), writeMs);
            Block copy = Block.open(out.resolve(written.id()));
            List<BlockWriter.SeriesSource> a = block.seriesSources();
            List<BlockWriter.SeriesSource> b = copy.seriesSources();
            if (a.size() != b.size()) {
                throw new IllegalStateException("rewrite holds " + b.size() + " series, not " + a.size());
            }
            long checked = 0;
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).labels().equals(b.get(i).labels())) {
                    throw new IllegalStateException("series " + i + ": " + b.get(i).labels() + " instead of "
                            + a.get(i).labels());
                }
                checked += compare(a.get(i), b.get(i));
            }
            System.out.printf("  every sample equal (%,d)%n", checked);
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    private static long compare(BlockWriter.SeriesSource a, BlockWriter.SeriesSource b) {
        SampleIterator x = a.samples();
        SampleIterator y = b.samples();
        long n = 0;
        while (x.next()) {
            if (!y.next() || x.timestamp() != y.timestamp()
                    || Double.doubleToRawLongBits(x.value()) != Double.doubleToRawLongBits(y.value())) {
                throw new IllegalStateException(a.labels() + ": differs at sample " + n);
            }
            n++;
        }
        if (y.next()) {
            throw new IllegalStateException(a.labels() + ": the rewrite has more samples");
        }
        return n;
    }
}
