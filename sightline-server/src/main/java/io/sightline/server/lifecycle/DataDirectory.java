package io.sightline.server.lifecycle;

import io.sightline.server.StartupException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The data directory, created if missing and held under an exclusive lock (file {@code lock}, like
 * Prometheus's) for as long as the process runs, so that two servers never write the same files. Close
 * releases the lock.
 */
public final class DataDirectory implements AutoCloseable {
    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private DataDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates (if needed), checks and locks {@code dir}.
     *
     * @throws StartupException naming the directory, the cause and the fix
     */
    public static DataDirectory open(Path dir) throws StartupException {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(abs);
        } catch (FileAlreadyExistsException e) {
            throw new StartupException("cannot use data dir " + abs + ": " + e.getFile()
                    + " exists and is not a directory; choose another with --data-dir");
        } catch (AccessDeniedException e) {
            throw new StartupException("cannot create data dir " + abs + ": permission denied on " + e.getFile()
                    + "; fix its permissions or choose another with --data-dir");
        } catch (IOException e) {
            throw new StartupException("cannot create data dir " + abs + ": " + e.getMessage()
                    + "; choose another with --data-dir");
        }
        if (!Files.isDirectory(abs)) {
            throw new StartupException("cannot use data dir " + abs + ": not a directory; choose another with --data-dir");
        }
        if (!Files.isReadable(abs) || !Files.isWritable(abs) || !Files.isExecutable(abs)) {
            throw new StartupException("cannot use data dir " + abs + ": the process may not read and write it;"
                    + " fix its permissions or choose another with --data-dir");
        }
        Path lockFile = abs.resolve("lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StartupException("cannot use data dir " + abs + ": it is in use by another Sightline process"
                        + " (lock held on " + lockFile + "); stop that process or choose another --data-dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            return new DataDirectory(abs, channel, lock);
        } catch (AccessDeniedException e) {
            closeQuietly(channel);
            throw new StartupException("cannot lock data dir " + abs + ": permission denied on " + lockFile);
        } catch (FileSystemException e) {
            closeQuietly(channel);
            throw new StartupException("cannot lock data dir " + abs + ": " + e.getMessage());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StartupException("cannot lock data dir " + abs + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already failing; the first error is the one to report
            }
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (lock.isValid()) {
            lock.release();
        }
        lockChannel.close();
    }
}
