package io.sightline.testkit.tsdb;

import io.sightline.tsdb.Storage;
import io.sightline.tsdb.StorageOptions;
import io.sightline.tsdb.memory.MemoryStorage;

/** The reference implementation against the storage contract. */
class MemoryStorageContractTest extends StorageContract {
    @Override
    protected Storage create(StorageOptions options) {
        return new MemoryStorage(options);
    }
}
