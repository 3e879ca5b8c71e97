package io.sightline.tsdb.block;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes a new file sequentially, knowing its position and keeping a CRC32C of the current section.
 * {@link #finish()} forces the file to disk. Not thread-safe.
 */
final class SectionWriter implements AutoCloseable {
    private final FileChannel channel;
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[10];
    private long position;

    SectionWriter(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    }

    long position() {
        return position;
    }

    /** Starts a new checksum. */
    void resetCrc() {
        crc.reset();
    }

    int crc() {
        return (int) crc.getValue();
    }

    void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        crc.update(b, off, len);
        position += len;
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    void writeByte(int v) throws IOException {
        scratch[0] = (byte) v;
        write(scratch, 0, 1);
    }

    void writeInt(int v) throws IOException {
        scratch[0] = (byte) (v >>> 24);
        scratch[1] = (byte) (v >>> 16);
        scratch[2] = (byte) (v >>> 8);
        scratch[3] = (byte) v;
        write(scratch, 0, 4);
    }

    void writeLong(long v) throws IOException {
        for (int i = 0; i < 8; i++) {
            scratch[i] = (byte) (v >>> (56 - 8 * i));
        }
        write(scratch, 0, 8);
    }

    void writeUvarint(long v) throws IOException {
        int n = 0;
        while ((v & ~0x7FL) != 0) {
            scratch[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        scratch[n++] = (byte) v;
        write(scratch, 0, n);
    }

    void writeVarint(long v) throws IOException {
        writeUvarint((v << 1) ^ (v >> 63));
    }

    void writeString(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeUvarint(b.length);
        write(b);
    }

    /** Flushes and forces the file to disk. */
    void finish() throws IOException {
        out.flush();
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        try {
            out.flush();
        } finally {
            channel.close();
        }
    }
}
