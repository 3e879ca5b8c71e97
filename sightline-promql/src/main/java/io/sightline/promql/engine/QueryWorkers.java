package io.sightline.promql.engine;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.stream.IntStream;

/**
 * The threads that decode and compute series in parallel inside one query: one per core, shared by
 * all queries (so concurrent queries share the cores rather than multiply threads). Work items must
 * only touch their own slot of the results and thread-safe shared state.
 */
final class QueryWorkers {

    static final int PARALLELISM = Runtime.getRuntime().availableProcessors();

    private static final java.util.concurrent.atomic.AtomicInteger THREADS =
            new java.util.concurrent.atomic.AtomicInteger();

    private static final ForkJoinPool POOL = new ForkJoinPool(PARALLELISM, pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        // Numbered here: the pool index is not assigned yet while the factory runs.
        t.setName("sightline-query-worker-" + THREADS.getAndIncrement());
        t.setDaemon(true);
        return t;
    }, null, false);

    private QueryWorkers() {}

    /**
     * A contiguous slice of work items, run in order on one worker. {@code slice} numbers it, from 0 to
     * {@link #PARALLELISM} - 1: slices of successive runs with the same number may share state (a buffer),
     * since a run that returns normally has ended all its slices (after a failure the state must be dropped).
     */
    interface Slice {
        void run(int slice, int from, int to);
    }

    /**
     * Splits items 0..n-1 into one contiguous slice per worker and waits for all; a slice can reuse
     * buffers across its items. The calling thread runs the first slice itself, and all of a single item:
     * handing work to a parked worker and waiting for it costs a wake-up each way, which on a small virtual
     * machine is as long as a small query. The first failure is rethrown as it was, once every slice ended.
     */
    static void run(int n, Slice work) {
        int slices = Math.min(PARALLELISM, n);
        if (slices <= 1) {
            work.run(0, 0, n);
            return;
        }
        ForkJoinTask<?> others = POOL.submit(() -> IntStream.range(1, slices).parallel()
                .forEach(s -> work.run(s, (int) ((long) n * s / slices), (int) ((long) n * (s + 1) / slices))));
        RuntimeException failed = null;
        try {
            work.run(0, 0, n / slices);
        } catch (RuntimeException e) {
            failed = e;
        }
        try {
            others.join();
        } catch (RuntimeException e) {
            if (failed == null) {
                failed = e;
            }
        }
        if (failed != null) {
            throw unwrap(failed);
        }
    }

    private static RuntimeException unwrap(RuntimeException e) {
        Throwable t = e;
        while (!(t instanceof QueryException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t instanceof RuntimeException r ? r : e;
    }
}
