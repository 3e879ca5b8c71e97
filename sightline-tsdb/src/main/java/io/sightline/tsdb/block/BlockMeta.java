package io.sightline.tsdb.block;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code meta.json} says about a block. Times are milliseconds; the block holds samples with
 * {@code minTime <= t < maxTime} (the end is exclusive, as in Prometheus).
 *
 * @param id the block's ULID, also its directory name
 * @param minTime the oldest sample's timestamp
 * @param maxTime one past the newest timestamp the block may hold
 * @param stats counts of what was written
 * @param compaction level 1 for a block cut from the head, higher for merged blocks; sources are the
 *     level-1 ids it was made of
 * @param files sizes in bytes of {@code index} and {@code chunks}, checked at open
 * @param version format version: 1 for raw samples, 2 for rollups (so that a build from before rollups
 *     quarantines them instead of serving them as raw series)
 * @param resolution {@code 0} for raw samples; for a rollup block, the width in ms of its windows
 *     (absent in version 1). A rollup block's {@code minTime} is the start of the range it was rolled
 *     up from (all of it is covered, samples or not), not its first sample
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BlockMeta(String id, long minTime, long maxTime, Stats stats, Compaction compaction, Files files,
        int version, long resolution) {
    public static final int VERSION = 1;
    /** The format version of rollup blocks: the same files, {@code resolution} set. */
    public static final int VERSION_ROLLUP = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Stats(long numSeries, long numSamples, long numChunks) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Compaction(int level, List<String> sources) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Files(long index, long chunks) {}

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("BUG: cannot serialise block meta", e);
        }
    }

    /** Reads and checks {@code meta.json}; a file that does not parse or makes no sense is corruption. */
    static BlockMeta read(Path file) throws IOException {
        BlockMeta m;
        try {
            m = JSON.readValue(file.toFile(), BlockMeta.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CorruptBlockException(file + " does not parse: " + e.getOriginalMessage());
        }
        if (m.id == null || m.stats == null || m.compaction == null || m.files == null) {
            throw new CorruptBlockException(file + " lacks id, stats, compaction or files");
        }
        if (m.version != VERSION && m.version != VERSION_ROLLUP) {
            throw new CorruptBlockException(file + " has format version " + m.version + ", this build reads "
                    + VERSION + " and " + VERSION_ROLLUP);
        }
        if ((m.version == VERSION_ROLLUP) != (m.resolution > 0)) {
            throw new CorruptBlockException(file + " has format version " + m.version + " and resolution "
                    + m.resolution + " (rollups, and only they, are version " + VERSION_ROLLUP + ")");
        }
        if (m.minTime >= m.maxTime) {
            throw new CorruptBlockException(file + " has minTime " + m.minTime + " not before maxTime " + m.maxTime);
        }
        return m;
    }

    boolean overlaps(long mint, long maxt) {
        return minTime <= maxt && maxTime > mint;
    }
}
