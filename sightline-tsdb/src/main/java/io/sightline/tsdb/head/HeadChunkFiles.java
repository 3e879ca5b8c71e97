package io.sightline.tsdb.head;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the head keeps its full (closed) chunks: append-only files in {@code <data>/chunks_head/}, read
 * back with positional reads. The bytes then live in the operating system's page cache, which the kernel
 * can evict, instead of the Java heap: a head of tens of millions of samples needs a small heap.
 *
 * <p>The files are a cache of the write-ahead log, not a second source of truth: {@link #open} empties
 * the directory, and the WAL replay writes every chunk again. So they need no checksums or recovery of
 * their own.
 *
 * <p>A chunk's handle is {@code file index << 40 | offset}. Writes go through a buffer so that a chunk
 * costs no system call; reads of chunks still in the buffer are served from it. Thread-safe.
 */
final class HeadChunkFiles implements AutoCloseable {
    static final long FILE_BYTES = 512L << 20;
    static final int BUFFER_BYTES = 1 << 20;

    private final Path dir;
    private final long fileBytes;
    private final List<FileChannel> files = new ArrayList<>();
    private final ByteBuffer buffer;
    private FileChannel current;
    private int currentIndex = -1;
    /** Offset in the current file where the buffer's first byte goes. */
    private long bufferStart;
    private boolean closed;

    private HeadChunkFiles(Path dir, long fileBytes, int bufferBytes) {
        this.dir = dir;
        this.fileBytes = fileBytes;
        this.buffer = ByteBuffer.allocate(bufferBytes);
    }

    /** Creates the directory, removing chunk files left by an earlier run. */
    static HeadChunkFiles open(Path dir) throws IOException {
        return open(dir, FILE_BYTES, BUFFER_BYTES);
    }

    static HeadChunkFiles open(Path dir, long fileBytes, int bufferBytes) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (p.getFileName().toString().matches("\\d{6}")) {
                    Files.delete(p);
                }
            }
        }
        HeadChunkFiles f = new HeadChunkFiles(dir, fileBytes, bufferBytes);
        f.rotate();
        return f;
    }

    private void rotate() throws IOException {
        flush();
        currentIndex++;
        current = FileChannel.open(dir.resolve(String.format("%06d", currentIndex + 1)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        files.add(current);
        bufferStart = 0;
    }

    private void flush() throws IOException {
        if (current == null || buffer.position() == 0) {
            return;
        }
        buffer.flip();
        writeAt(buffer, bufferStart);
        bufferStart += buffer.limit();
        buffer.clear();
    }

    /**
     * Writes at {@code pos} of the current file, immune to interrupts: NIO closes a channel when a thread
     * blocked in it is interrupted, which would break the files for every reader and writer.
     */
    private void writeAt(ByteBuffer b, long pos) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    long p = pos;
                    b.position(0);
                    while (b.hasRemaining()) {
                        p += current.write(b, p);
                    }
                    return;
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == 2) {
                        throw e;
                    }
                    current = reopen(currentIndex);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private FileChannel reopen(int index) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(String.format("%06d", index + 1)),
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        files.set(index, ch);
        return ch;
    }

    /** Stores a chunk and returns its handle. */
    synchronized long write(byte[] chunk) {
        try {
            if (closed) {
                throw new IOException("chunk files are closed");
            }
            if (bufferStart + buffer.position() + chunk.length > fileBytes && bufferStart + buffer.position() > 0) {
                rotate();
            }
            if (buffer.remaining() < chunk.length) {
                flush();
            }
            long offset = bufferStart + buffer.position();
            if (chunk.length > buffer.capacity()) {
                writeAt(ByteBuffer.wrap(chunk), offset);
                bufferStart = offset + chunk.length;
            } else {
                buffer.put(chunk);
            }
            return ((long) currentIndex << 40) | offset;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a head chunk to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Reads back {@code length} bytes of the chunk at {@code handle}. */
    byte[] read(long handle, int length) {
        int index = (int) (handle >>> 40);
        long offset = handle & ((1L << 40) - 1);
        byte[] out = new byte[length];
        FileChannel ch;
        synchronized (this) {
            if (index == currentIndex && offset >= bufferStart) {
                int at = (int) (offset - bufferStart);
                System.arraycopy(buffer.array(), at, out, 0, length);
                return out;
            }
            ch = files.get(index);
        }
        boolean interrupted = Thread.interrupted(); // see writeAt
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(out);
                    long pos = offset;
                    while (b.hasRemaining()) {
                        int n = ch.read(b, pos);
                        if (n < 0) {
                            throw new IOException("chunk at " + handle + " runs past the end of its file");
                        }
                        pos += n;
                    }
                    return out;
                } catch (java.nio.channels.ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == 2) {
                        throw e;
                    }
                    synchronized (this) {
                        ch = files.get(index).isOpen() ? files.get(index) : reopen(index);
                        if (index == currentIndex) {
                            current = ch;
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a head chunk from " + dir + ": " + e.getMessage(), e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        for (FileChannel f : files) {
            f.close();
        }
    }
}
