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
 * back through memory maps. The bytes then live in the operating system's page cache, which the kernel
 * can evict, instead of the Java heap: a head of tens of millions of samples needs a small heap.
 *
 * <p>Files are mapped in windows ({@link #WINDOW_BYTES} by default), each once it is fully written, so a read
 * costs no system call (a query touching thousands of chunks would otherwise make thousands of
 * {@code pread}s). The few reads that fall in a window still being written, or across two windows,
 * use a positional read.
 *
 * <p>The files are a cache of the write-ahead log, not a second source of truth: {@link #open} empties
 * the directory, and the WAL replay writes every chunk again. So they need no checksums or recovery of
 * their own.
 *
 * <p>A chunk's handle is {@code file index << 40 | offset}. Writes go through a buffer so that a chunk
 * costs no system call; reads of chunks still in the buffer are served from it. Thread-safe.
 */
final class HeadChunkFiles implements AutoCloseable {
    static final long FILE_BYTES = 8L << 20;
    static final int BUFFER_BYTES = 1 << 20;
    static final int WINDOW_BYTES = 8 << 20;

    private final Path dir;
    private final long fileBytes;
    private final int windowBytes;
    private final List<FileChannel> files = new ArrayList<>();
    /**
     * Per file, its mapped windows (null until mapped) and how many bytes are written to the file
     * itself. Readers use them without the lock: queries read chunks from several threads at once.
     */
    private final List<java.util.concurrent.atomic.AtomicReferenceArray<java.nio.MappedByteBuffer>> windows =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.concurrent.atomic.AtomicLong> written =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ByteBuffer buffer;
    private FileChannel current;
    private int currentIndex = -1;
    /** Offset in the current file where the buffer's first byte goes. */
    private long bufferStart;
    private boolean closed;
    /** Per file, the newest timestamp of a chunk in it; a file whose chunks all precede a head cut is dropped. */
    private final List<Long> fileMaxT = new ArrayList<>();
    /** Calls of {@link #release} so far: a reader notes the round it started in. */
    private long round;
    /** Readers not yet closed, counted by the round they started in. */
    private final java.util.TreeMap<Long, Integer> readers = new java.util.TreeMap<>();
    /**
     * Files no chunk of the head refers to any more, with the round in which they became so. Readers
     * that started in that round or before may still hold snapshots with chunks in them.
     */
    private final java.util.Map<Integer, Long> unreferenced = new java.util.LinkedHashMap<>();
    private final java.util.Set<Integer> deleted = new java.util.HashSet<>();
    /** Reads served from a map (approximate under concurrency; for tests and diagnostics). */
    private long mappedReads;

    private HeadChunkFiles(Path dir, long fileBytes, int bufferBytes, int windowBytes) {
        this.dir = dir;
        this.fileBytes = fileBytes;
        this.windowBytes = windowBytes;
        this.buffer = ByteBuffer.allocate(bufferBytes);
    }

    /** Creates the directory, removing chunk files left by an earlier run. */
    static HeadChunkFiles open(Path dir) throws IOException {
        return open(dir, FILE_BYTES, BUFFER_BYTES, WINDOW_BYTES);
    }

    static HeadChunkFiles open(Path dir, long fileBytes, int bufferBytes, int windowBytes) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : (Iterable<Path>) old::iterator) {
                if (p.getFileName().toString().matches("\\d{6}")) {
                    Files.delete(p);
                }
            }
        }
        HeadChunkFiles f = new HeadChunkFiles(dir, fileBytes, bufferBytes, windowBytes);
        f.rotate();
        return f;
    }

    private void rotate() throws IOException {
        flush();
        currentIndex++;
        current = FileChannel.open(dir.resolve(String.format("%06d", currentIndex + 1)),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        files.add(current);
        windows.add(new java.util.concurrent.atomic.AtomicReferenceArray<>(
                (int) ((fileBytes + windowBytes - 1) / windowBytes)));
        written.add(new java.util.concurrent.atomic.AtomicLong());
        fileMaxT.add(Long.MIN_VALUE);
        bufferStart = 0;
    }

    private void flush() throws IOException {
        if (current == null || buffer.position() == 0) {
            return;
        }
        buffer.flip();
        UninterruptibleIo.writeAt(channel(currentIndex), buffer, bufferStart);
        bufferStart += buffer.limit();
        written.get(currentIndex).set(bufferStart);
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

    /** Stores a chunk whose newest sample is at {@code maxT} and returns its handle. */
    synchronized long write(byte[] chunk, long maxT) {
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
            fileMaxT.set(currentIndex, Math.max(fileMaxT.get(currentIndex), maxT));
            if (chunk.length > buffer.capacity()) {
                UninterruptibleIo.writeAt(channel(currentIndex), ByteBuffer.wrap(chunk), offset);
                bufferStart = offset + chunk.length;
                written.get(currentIndex).set(bufferStart);
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
        java.nio.MappedByteBuffer window = window(index, offset, length);
        if (window != null) {
            window.get((int) (offset % windowBytes), out);
            mappedReads++;
            return out;
        }
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

    /**
     * The mapped window holding {@code [offset, offset + length)} of file {@code index}, mapping it on
     * first use, or null when the range crosses windows or its window is not fully written yet.
     */
    private java.nio.MappedByteBuffer window(int index, long offset, int length) {
        int w = (int) (offset / windowBytes);
        long windowStart = (long) w * windowBytes;
        long windowEnd = windowStart + windowBytes;
        if (index >= written.size() || offset + length > windowEnd || written.get(index).get() < windowEnd) {
            return null;
        }
        var mapped = windows.get(index);
        if (w >= mapped.length()) {
            return null; // the file was released
        }
        java.nio.MappedByteBuffer m = mapped.get(w);
        if (m == null) {
            synchronized (this) {
                m = mapped.get(w);
                if (m == null) {
                    try {
                        m = files.get(index).map(FileChannel.MapMode.READ_ONLY, windowStart, windowBytes);
                    } catch (IOException e) {
                        return null; // a positional read still works
                    }
                    mapped.set(w, m);
                }
            }
        }
        // Absolute reads leave the buffer's position alone, so threads can share it.
        return m;
    }

    /**
     * Registers a reader that may take snapshots of the head (a querier): files its snapshots can refer
     * to are kept until {@link #closeReader} with the value returned here.
     */
    synchronized long openReader() {
        readers.merge(round, 1, Integer::sum);
        return round;
    }

    /** The reader opened in {@code round} is done; files only it could still read are deleted. */
    synchronized void closeReader(long round) {
        Integer n = readers.get(round);
        if (n == null) {
            throw new IllegalStateException("no reader open from round " + round);
        }
        if (n == 1) {
            readers.remove(round);
        } else {
            readers.put(round, n - 1);
        }
        deleteUnread();
    }

    /**
     * After the head was truncated at {@code cutoff}: notes the files (other than the one being
     * written) whose chunks all end before {@code cutoff}, which no new snapshot can refer to, and
     * deletes those no open reader can still read: readers opened before a file was noted keep it, however
     * many cuts follow (a query started before a catch-up of several cuts reads on to its end).
     *
     * @return how many files were deleted
     */
    synchronized int release(long cutoff) {
        for (int i = 0; i < currentIndex; i++) {
            if (!deleted.contains(i) && !unreferenced.containsKey(i) && fileMaxT.get(i) < cutoff) {
                unreferenced.put(i, round);
            }
        }
        round++;
        return deleteUnread();
    }

    private int deleteUnread() {
        long oldestReader = readers.isEmpty() ? Long.MAX_VALUE : readers.firstKey();
        int n = 0;
        for (var it = unreferenced.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() >= oldestReader) {
                continue;
            }
            int index = e.getKey();
            try {
                files.get(index).close();
                Files.deleteIfExists(dir.resolve(String.format("%06d", index + 1)));
                windows.set(index, new java.util.concurrent.atomic.AtomicReferenceArray<>(0));
                deleted.add(index);
                it.remove();
                n++;
            } catch (IOException ex) {
                // left in place and tried again later; the directory is emptied at the next start anyway
            }
        }
        return n;
    }

    /** Files holding chunks (not yet deleted). */
    synchronized int liveFiles() {
        return files.size() - deleted.size();
    }

    long mappedReads() {
        return mappedReads;
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        for (FileChannel f : files) {
            if (f.isOpen()) {
                f.close();
            }
        }
    }
}
