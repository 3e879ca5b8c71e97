package io.sightline.tsdb.wal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import io.sightline.tsdb.fileio.UninterruptibleIo;
import java.util.zip.CRC32C;

/**
 * The write-ahead log of the head: numbered segment files in one directory ({@code 00000001}, ...), each
 * a 4-byte magic and then framed records (see {@link WalBatch}).
 *
 * <p><b>Durability.</b> {@link #write} returns once the bytes are in the operating system (a
 * {@code write(2)} completed), so an acknowledged commit survives {@code kill -9} of the process. Power
 * loss is covered by {@code fsync}: with {@link Sync#ALWAYS} before {@code write} returns (concurrent
 * commits share one fsync), with {@link Sync#PERIODIC} in the background every interval, which is the
 * trade Prometheus makes too (it syncs on segment close) but with a bound on what power loss can take.
 *
 * <p><b>Repair.</b> {@link #open} replays every segment. The first record that is torn or fails its
 * checksum ends the log: its segment is truncated there and later segments are removed, and the report
 * says exactly what was dropped. The engine still starts.
 *
 * <p>Thread-safe.
 */
public final class Wal implements AutoCloseable {
    static final byte[] MAGIC = {'S', 'L', 'W', 1};
    static final int MAX_RECORD_BYTES = 256 << 20;

    public enum Sync { ALWAYS, PERIODIC }

    /**
     * @param segmentBytes a new segment starts when the current one would exceed this
     * @param sync when to fsync
     * @param syncInterval for {@link Sync#PERIODIC}
     * @param progress where {@link #open} reports which segment it replays, or null
     */
    public record Options(long segmentBytes, Sync sync, Duration syncInterval, Progress progress) {
        public static final Options DEFAULTS = new Options(128L << 20, Sync.PERIODIC, Duration.ofSeconds(1));

        public Options(long segmentBytes, Sync sync, Duration syncInterval) {
            this(segmentBytes, sync, syncInterval, null);
        }

        public Options withProgress(Progress p) {
            return new Options(segmentBytes, sync, syncInterval, p);
        }
    }

    /**
     * The replay at start as it goes, for Prometheus's {@code /api/v1/status/walreplay}: the first and last
     * segment to replay and the one being read (all 0 for a log with no segment; {@code current == max} once done).
     */
    public static final class Progress {
        private volatile int[] state = {0, 0, 0}; // replaced whole, never changed: one read is one moment

        void set(int min, int max, int current) {
            state = new int[] {min, max, current};
        }

        /** {min, max, current}, of one moment. */
        public int[] snapshot() {
            return state.clone();
        }
    }

    /**
     * What start-up found.
     *
     * @param repair null when the log was intact, else what was cut and why
     */
    public record ReplayReport(int segments, long records, long bytes, String repair, long millis) {}

    private final Path dir;
    private final Options options;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock syncLock = new ReentrantLock();
    private final ScheduledExecutorService syncer;
    private FileChannel current;
    /**
     * Writes go through this one direct buffer: a heap buffer would make the JDK copy into a temporary
     * direct buffer cached per calling thread, which across many ingest threads is real memory.
     */
    private ByteBuffer direct = ByteBuffer.allocateDirect(256 * 1024);
    private int currentIndex;
    private long currentSize;
    /** The current segment for {@link UninterruptibleIo}; called under the write lock. */
    private final UninterruptibleIo.Channel segmentChannel = new UninterruptibleIo.Channel() {
        @Override
        public FileChannel get() {
            return current;
        }

        @Override
        public FileChannel reopen() throws IOException {
            current = FileChannel.open(segmentPath(dir, currentIndex), StandardOpenOption.WRITE);
            return current;
        }
    };
    private long written;
    private volatile long synced;
    private volatile boolean closed;

    private Wal(Path dir, Options options, int nextIndex) throws IOException {
        this.dir = dir;
        this.options = options;
        openSegment(nextIndex);
        if (options.sync() == Sync.PERIODIC) {
            syncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wal-sync");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, options.syncInterval().toMillis());
            syncer.scheduleWithFixedDelay(this::backgroundSync, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            syncer = null;
        }
    }

    /**
     * Replays the log in {@code dir} (created if missing) into {@code visitor}, repairs a torn tail, and
     * opens a new segment for writing.
     */
    public static Wal open(Path dir, Options options, WalRecords.Visitor visitor, ReplayReport[] report)
            throws IOException {
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        long records = 0;
        long bytes = 0;
        String repair = null;
        int checkpointed = 0;
        Path checkpoint = latestCheckpoint(dir);
        if (checkpoint != null) {
            checkpointed = checkpointIndex(checkpoint);
            Path file = checkpoint.resolve(CHECKPOINT_FILE);
            SegmentResult r = Files.exists(file) ? replaySegment(file, visitor)
                    : new SegmentResult(0, 0, "checkpoint file missing");
            records += r.records;
            bytes += r.validBytes;
            if (r.problem != null) {
                // Written and synced before the segments it replaced were removed: only the disk can
                // have damaged it. What decoded is kept; the rest is lost and said so.
                repair = "checkpoint " + checkpoint.getFileName() + " at offset " + r.validBytes + ": " + r.problem
                        + "; the samples after that point were lost";
            }
        }
        List<Integer> segments = new ArrayList<>();
        for (int index : listSegments(dir)) {
            if (index <= checkpointed) {
                Files.delete(segmentPath(dir, index)); // left by a crash after the checkpoint was complete
            } else {
                segments.add(index);
            }
        }
        Progress progress = options.progress();
        int first = segments.isEmpty() ? 0 : segments.get(0);
        int last = segments.isEmpty() ? 0 : segments.get(segments.size() - 1);
        if (progress != null) {
            progress.set(first, last, first);
        }
        int nextIndex = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (progress != null) {
                progress.set(first, last, segments.get(i));
            }
            Path seg = segmentPath(dir, segments.get(i));
            SegmentResult r = replaySegment(seg, visitor);
            records += r.records;
            bytes += r.validBytes;
            if (r.problem != null) {
                long size = Files.size(seg);
                List<String> removed = new ArrayList<>();
                for (int j = i + 1; j < segments.size(); j++) {
                    Path later = segmentPath(dir, segments.get(j));
                    removed.add(later.getFileName() + " (" + Files.size(later) + " bytes)");
                    Files.delete(later);
                }
                String action;
                if (r.validBytes < MAGIC.length) {
                    // Nothing valid, not even the header: an empty file would fail every later start.
                    Files.delete(seg);
                    action = "removed it (" + size + " bytes)";
                    segments = segments.subList(0, i);
                } else {
                    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                        ch.truncate(r.validBytes);
                        ch.force(true);
                    }
                    action = "truncated " + (size - r.validBytes) + " bytes";
                    segments = segments.subList(0, i + 1);
                }
                repair = (repair == null ? "" : repair + "; ") + "segment " + seg.getFileName() + " at offset " + r.validBytes + ": " + r.problem + "; " + action
                        + (removed.isEmpty() ? "" : " and removed later segments " + removed);
                nextIndex = segments.isEmpty() ? segmentIndexOf(seg) : segments.get(segments.size() - 1) + 1;
                break;
            }
        }
        if (progress != null) {
            progress.set(first, last, last); // done, a repair's cut included
        }
        int next = nextIndex > 0 ? nextIndex : segments.isEmpty() ? checkpointed + 1 : segments.get(segments.size() - 1) + 1;
        if (report != null) {
            report[0] = new ReplayReport(segments.size(), records, bytes, repair, (System.nanoTime() - t0) / 1_000_000);
        }
        return new Wal(dir, options, next);
    }

    private record SegmentResult(long records, long validBytes, String problem) {}

    private static SegmentResult replaySegment(Path seg, WalRecords.Visitor visitor) throws IOException {
        long records = 0;
        long valid = 0;
        byte[] buf = new byte[64 * 1024];
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(seg);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] magic = new byte[MAGIC.length];
            try {
                in.readFully(magic);
            } catch (EOFException e) {
                return new SegmentResult(0, 0, "segment shorter than its header");
            }
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                return new SegmentResult(0, 0, "not a WAL segment (bad magic)");
            }
            valid = MAGIC.length;
            while (true) {
                int len;
                int sum;
                int first = in.read();
                if (first < 0) {
                    return new SegmentResult(records, valid, null); // a clean end between records
                }
                try {
                    len = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                    sum = in.readInt();
                } catch (EOFException e) {
                    return new SegmentResult(records, valid, "torn record header");
                }
                if (len <= 0 || len > MAX_RECORD_BYTES) {
                    return new SegmentResult(records, valid, "impossible record length " + len);
                }
                if (buf.length < len) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                }
                try {
                    in.readFully(buf, 0, len);
                } catch (EOFException e) {
                    return new SegmentResult(records, valid, "torn record (" + len + " bytes announced)");
                }
                crc.reset();
                crc.update(buf, 0, len);
                if ((int) crc.getValue() != sum) {
                    return new SegmentResult(records, valid, "checksum mismatch");
                }
                try {
                    WalRecords.decode(buf, 0, len, visitor);
                } catch (CorruptRecordException e) {
                    return new SegmentResult(records, valid, e.getMessage());
                }
                records++;
                valid += 8 + len;
            }
        }
    }

    static final String CHECKPOINT_FILE = "00000000";

    /** The newest complete checkpoint directory, removing unfinished ones and older ones; null if none. */
    private static Path latestCheckpoint(Path dir) throws IOException {
        List<Path> done = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.matches("checkpoint\\.\\d{8}\\.tmp")) {
                    deleteTree(p);
                } else if (name.matches("checkpoint\\.\\d{8}")) {
                    done.add(p);
                }
            }
        }
        done.sort(java.util.Comparator.comparingInt(Wal::checkpointIndex));
        for (int i = 0; i < done.size() - 1; i++) {
            deleteTree(done.get(i));
        }
        return done.isEmpty() ? null : done.get(done.size() - 1);
    }

    private static int checkpointIndex(Path p) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring("checkpoint.".length(), "checkpoint.".length() + 8));
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        }
    }

    /**
     * Closes the segment being written and starts the next one. Returns the index of the segment closed:
     * everything logged so far is in segments up to it.
     */
    public int cutSegment() throws IOException {
        writeLock.lock();
        try {
            if (closed) {
                throw new IOException("cannot cut a WAL segment: the log is closed");
            }
            int closing = currentIndex;
            UninterruptibleIo.force(segmentChannel);
            current.close();
            openSegment(closing + 1);
            synced = written;
            return closing;
        } finally {
            writeLock.unlock();
        }
    }

    /** A checkpoint being written: the records that replace segments up to {@code upTo}. */
    public final class Checkpoint implements AutoCloseable {
        private final int upTo;
        private final Path tmp;
        private final FileChannel ch;
        private long size;
        private boolean finished;

        private Checkpoint(int upTo) throws IOException {
            this.upTo = upTo;
            this.tmp = dir.resolve(String.format("checkpoint.%08d.tmp", upTo));
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
            Files.createDirectories(tmp);
            ch = FileChannel.open(tmp.resolve(CHECKPOINT_FILE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            ByteBuffer m = ByteBuffer.wrap(MAGIC);
            while (m.hasRemaining()) {
                size += ch.write(m);
            }
        }

        /** Appends records (series before the samples that use them, as in the log). */
        public void write(WalBatch batch) throws IOException {
            ByteBuffer b = batch.sink.view();
            while (b.hasRemaining()) {
                size += ch.write(b);
            }
        }

        public long sizeBytes() {
            return size;
        }

        /**
         * Makes the checkpoint durable, then removes the segments it replaces and older checkpoints.
         * A crash at any point leaves either the old segments or the complete checkpoint.
         */
        public void finish() throws IOException {
            ch.force(true);
            ch.close();
            finished = true;
            Path done = dir.resolve(String.format("checkpoint.%08d", upTo));
            Files.move(tmp, done, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some file systems cannot sync a directory
            }
            for (int index : listSegments(dir)) {
                if (index <= upTo) {
                    Files.deleteIfExists(segmentPath(dir, index));
                }
            }
            latestCheckpoint(dir);
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                ch.close();
                deleteTree(tmp);
            }
        }
    }

    /** Starts a checkpoint replacing the segments up to {@code upTo} (as returned by {@link #cutSegment}). */
    public Checkpoint checkpoint(int upTo) throws IOException {
        return new Checkpoint(upTo);
    }

    /** Bytes in segments and checkpoints. */
    public long sizeBytes() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            long n = 0;
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    n += Files.size(p);
                }
            }
            return n;
        } catch (java.io.UncheckedIOException e) {
            return -1; // a file removed while walking
        }
    }

    static List<Integer> listSegments(Path dir) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.matches("\\d{8}")) {
                    out.add(Integer.parseInt(name));
                }
            });
        }
        out.sort(null);
        return out;
    }

    private static int segmentIndexOf(Path seg) {
        return Integer.parseInt(seg.getFileName().toString());
    }

    static Path segmentPath(Path dir, int index) {
        return dir.resolve(String.format("%08d", index));
    }

    private void openSegment(int index) throws IOException {
        current = FileChannel.open(segmentPath(dir, index), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        currentIndex = index;
        UninterruptibleIo.writeAt(segmentChannel, ByteBuffer.wrap(MAGIC), 0);
        currentSize = MAGIC.length;
        // The new file's directory entry must survive power loss too.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the segment's own fsync still covers its data
        }
    }

    /**
     * Appends a commit's records. When it returns the bytes are in the OS; with {@link Sync#ALWAYS} also
     * on disk.
     */
    public void write(WalBatch batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long end;
        writeLock.lock();
        try {
            if (closed) {
                throw new IOException("cannot write to the WAL: it is closed");
            }
            int size = batch.sizeBytes();
            if (currentSize + size > options.segmentBytes() && currentSize > MAGIC.length) {
                UninterruptibleIo.force(segmentChannel);
                current.close();
                openSegment(currentIndex + 1);
                synced = written;
            }
            if (direct.capacity() < size) {
                direct = ByteBuffer.allocateDirect(Integer.highestOneBit(size - 1) << 1);
            }
            direct.clear();
            direct.put(batch.sink.view());
            direct.flip();
            UninterruptibleIo.writeAt(segmentChannel, direct, currentSize);
            currentSize += size;
            written += size;
            end = written;
        } finally {
            writeLock.unlock();
        }
        if (options.sync() == Sync.ALWAYS) {
            syncTo(end);
        }
    }

    /** Makes everything written so far durable. */
    public void sync() throws IOException {
        long target;
        writeLock.lock();
        try {
            target = written;
        } finally {
            writeLock.unlock();
        }
        syncTo(target);
    }

    private void syncTo(long target) throws IOException {
        if (synced >= target) {
            return;
        }
        syncLock.lock();
        try {
            if (synced >= target) {
                return; // another commit's fsync covered ours: group commit
            }
            long upTo;
            FileChannel ch;
            writeLock.lock();
            try {
                upTo = written;
                ch = current;
            } finally {
                writeLock.unlock();
            }
            try {
                UninterruptibleIo.force(new UninterruptibleIo.Channel() {
                    @Override
                    public FileChannel get() {
                        return ch;
                    }

                    @Override
                    public FileChannel reopen() throws IOException {
                        writeLock.lock();
                        try {
                            if (current != ch) {
                                throw new ClosedChannelException(); // rotated meanwhile, see below
                            }
                            return segmentChannel.reopen();
                        } finally {
                            writeLock.unlock();
                        }
                    }
                });
            } catch (java.nio.channels.ClosedByInterruptException e) {
                return; // interrupted on every attempt: not synced; the next sync or rotation covers it
            } catch (ClosedChannelException e) {
                // rotated meanwhile: rotation forced that segment, which held everything up to upTo
            }
            synced = Math.max(synced, upTo);
        } finally {
            syncLock.unlock();
        }
    }

    private void backgroundSync() {
        try {
            sync();
        } catch (IOException e) {
            // the next write reports I/O trouble to its caller; a background thread has no one to tell
        }
    }

    /** Index of the segment being written, for tests and figures. */
    public int currentSegment() {
        writeLock.lock();
        try {
            return currentIndex;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        if (syncer != null) {
            // Not shutdownNow(): interrupting a sync in progress would close the channel under it.
            syncer.shutdown();
            try {
                syncer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            current.force(false);
            current.close();
        } finally {
            writeLock.unlock();
        }
    }
}
