package io.sightline.testkit.tsdb;

import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.head.TsdbStorage;
import io.sightline.tsdb.wal.Wal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The durable engine against the storage contract, including close and reopen. */
class TsdbStorageContractTest extends DurableStorageContract {
    @TempDir
    Path tmp;

    private final Map<Storage, Path> dirs = new IdentityHashMap<>();

    @Override
    protected Storage create(StorageOptions options) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "tsdb");
        Storage s = TsdbStorage.open(dir, options, Wal.Options.DEFAULTS);
        dirs.put(s, dir);
        return s;
    }

    @Override
    protected Storage reopen(Storage s, StorageOptions options) throws Exception {
        Path dir = dirs.remove(s);
        s.close();
        Storage again = TsdbStorage.open(dir, options, Wal.Options.DEFAULTS);
        dirs.put(again, dir);
        return again;
    }

    @AfterEach
    void closeReopened() throws Exception {
        for (Storage s : dirs.keySet()) {
            s.close();
        }
        dirs.clear();
    }
}
