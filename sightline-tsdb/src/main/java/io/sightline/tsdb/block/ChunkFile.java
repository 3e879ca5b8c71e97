package io.sightline.tsdb.block;

import io.sightline.tsdb.chunk.DecimalChunk;
import io.sightline.tsdb.chunk.XorChunk;
import io.sightline.tsdb.SampleIterator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A block's {@code chunks} file, memory-mapped read-only in windows of {@link #WINDOW} bytes. A chunk
 * record is a varint length, the chunk's bytes and their CRC32C, checked at every read. Thread-safe:
 * only absolute reads of the maps. The maps stay valid after the file is deleted (retention), so
 * queries still running on a dropped block finish.
 */
final class ChunkFile {
    static final int WINDOW = 1 << 30;

    private final Path file;
    private final MappedByteBuffer[] windows;
    private final long size;

    private ChunkFile(Path file, MappedByteBuffer[] windows, long size) {
        this.file = file;
        this.windows = windows;
        this.size = size;
    }

    static ChunkFile open(Path file, long expectedSize) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != expectedSize) {
                throw new CorruptBlockException(file + " is " + size + " bytes, meta.json says " + expectedSize);
            }
            if (size < BlockWriter.CHUNKS_MAGIC.length) {
                throw new CorruptBlockException(file + " is shorter than its header");
            }
            int n = (int) ((size + WINDOW - 1) / WINDOW);
            MappedByteBuffer[] w = new MappedByteBuffer[n];
            for (int i = 0; i < n; i++) {
                long from = (long) i * WINDOW;
                w[i] = ch.map(FileChannel.MapMode.READ_ONLY, from, Math.min(WINDOW, size - from));
            }
            byte[] magic = new byte[BlockWriter.CHUNKS_MAGIC.length];
            w[0].get(0, magic);
            if (!java.util.Arrays.equals(magic, BlockWriter.CHUNKS_MAGIC)) {
                throw new CorruptBlockException(file + " is not a chunks file (bad magic)");
            }
            return new ChunkFile(file, w, size);
        }
    }

    private int byteAt(long pos) {
        return windows[(int) (pos / WINDOW)].get((int) (pos % WINDOW)) & 0xFF;
    }

    private void copy(long pos, byte[] dst) {
        int done = 0;
        while (done < dst.length) {
            long p = pos + done;
            MappedByteBuffer w = windows[(int) (p / WINDOW)];
            int at = (int) (p % WINDOW);
            int n = Math.min(dst.length - done, w.limit() - at);
            w.get(at, dst, done, n);
            done += n;
        }
    }

    /** The chunk at {@code ref}, checked against its CRC. */
    byte[] read(long ref) {
        if (ref < BlockWriter.CHUNKS_MAGIC.length || ref >= size) {
            throw new CorruptBlockException(file + ": chunk reference " + ref + " outside the file");
        }
        long pos = ref;
        long len = 0;
        for (int shift = 0;; shift += 7) {
            if (shift > 28 || pos >= size) {
                throw new CorruptBlockException(file + ": bad chunk length at " + ref);
            }
            int b = byteAt(pos++);
            len |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        if (len > size - pos - 4) {
            throw new CorruptBlockException(file + ": chunk at " + ref + " runs past the end of the file");
        }
        byte[] out = new byte[(int) len];
        copy(pos, out);
        byte[] sum = new byte[4];
        copy(pos + len, sum);
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length);
        if ((int) crc.getValue() != ByteBuffer.wrap(sum).getInt()) {
            throw new CorruptBlockException(file + ": chunk at " + ref + " fails its checksum");
        }
        return out;
    }

    SampleIterator iterator(long ref) {
        byte[] record = read(ref);
        if (record.length == 0) {
            throw new CorruptBlockException(file + ": empty chunk at " + ref);
        }
        byte[] body = java.util.Arrays.copyOfRange(record, 1, record.length);
        try {
            return switch (record[0]) {
                case BlockWriter.ENCODING_XOR -> XorChunk.iterator(body);
                case BlockWriter.ENCODING_DECIMAL -> DecimalChunk.iterator(body);
                default -> throw new CorruptBlockException(file + ": unknown chunk encoding " + record[0] + " at " + ref);
            };
        } catch (io.sightline.tsdb.chunk.CorruptChunkException e) {
            throw new CorruptBlockException(file + ": chunk at " + ref + ": " + e.getMessage());
        }
    }
}
