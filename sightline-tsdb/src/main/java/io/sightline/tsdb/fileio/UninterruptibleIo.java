package io.sightline.tsdb.fileio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;

/**
 * Positional file I/O that thread interrupts cannot break. NIO closes a channel when a thread blocked in
 * it is interrupted, which would break a shared file (the WAL, the chunk files) for every other thread.
 * So the caller's interrupt status is set aside during the I/O and restored after, and a channel closed
 * by an interrupt from elsewhere meanwhile is reopened and the operation redone (at the same offset:
 * every operation here is positional, so redoing it is safe).
 */
public final class UninterruptibleIo {
    private static final int ATTEMPTS = 3;

    private UninterruptibleIo() {}

    /** How to get a shared channel, and a fresh one when an interrupt closed it. */
    public interface Channel {
        FileChannel get();

        FileChannel reopen() throws IOException;
    }

    /** One positional operation on a channel; must be safe to redo from the start. */
    @FunctionalInterface
    private interface Operation {
        void run(FileChannel c) throws IOException;
    }

    /** Writes all of {@code b} (from position 0 to its limit) at {@code pos}. */
    public static void writeAt(Channel ch, ByteBuffer b, long pos) throws IOException {
        run(ch, c -> {
            long p = pos;
            b.position(0);
            while (b.hasRemaining()) {
                p += c.write(b, p);
            }
        });
    }

    /** Fills {@code out} from {@code pos}; fails if the file ends first. */
    public static void readAt(Channel ch, byte[] out, long pos) throws IOException {
        readAt(ch, out, out.length, pos);
    }

    /** Fills the first {@code length} bytes of {@code out} from {@code pos}. */
    public static void readAt(Channel ch, byte[] out, int length, long pos) throws IOException {
        run(ch, c -> {
            ByteBuffer b = ByteBuffer.wrap(out, 0, length);
            long p = pos;
            while (b.hasRemaining()) {
                int n = c.read(b, p);
                if (n < 0) {
                    throw new IOException("read at " + pos + " of " + length + " bytes runs past the end of the file");
                }
                p += n;
            }
        });
    }

    /** Forces the file's content (not its metadata) to the device. */
    public static void force(Channel ch) throws IOException {
        run(ch, c -> c.force(false));
    }

    private static void run(Channel ch, Operation op) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            FileChannel c = ch.get();
            for (int attempt = 1; ; attempt++) {
                try {
                    op.run(c);
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == ATTEMPTS) {
                        throw e;
                    }
                    c = ch.reopen();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
