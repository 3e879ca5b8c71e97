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
import io.sightline.tsdb.fileio.UninterruptibleIo;
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
        UninterruptibleIo.writeAt(channel(currentIndex), buffer, bufferStart);
        bufferStart += buffer.limit();
        buffer.clear();
    }


    /** File {@code index} for {@link UninterruptibleIo}: reopened in place if an interrupt closed it. */
    private UninterruptibleIo.Channel channel(int index) {
        return new UninterruptibleIo.Channel() {
            @Override
            public FileChannel get() {
                synchronized (HeadChunkFiles.this) {
                    return files.get(index);
                }
            }

            @Override
            public FileChannel reopen() throws IOException {
                synchronized (HeadChunkFiles.this) {
                    FileChannel ch = files.get(index);
                    if (!ch.isOpen()) {
                        ch = FileChannel.open(dir.resolve(String.format("%06d", index + 1)),
                                StandardOpenOption.READ, StandardOpenOption.WRITE);
                        files.set(index, ch);
                        if (index == currentIndex) {
                            current = ch;
                        }
                    }
                    return ch;
                }
            }
        };
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
                UninterruptibleIo.writeAt(channel(currentIndex), ByteBuffer.wrap(chunk), offset);
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
        synchronized (this) {
            if (index == currentIndex && offset >= bufferStart) {
                int at = (int) (offset - bufferStart);
                System.arraycopy(buffer.array(), at, out, 0, length);
                return out;
            }
        }
        try {
            UninterruptibleIo.readAt(channel(index), out, offset);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a head chunk from " + dir + ": " + e.getMessage(), e);
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
