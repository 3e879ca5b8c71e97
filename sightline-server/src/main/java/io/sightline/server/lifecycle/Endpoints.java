package io.sightline.server.lifecycle;

import com.linecorp.armeria.common.HttpMethod;
import io.sightline.server.auth.Scope;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.http.Endpoint;
import io.sightline.server.ingest.RemoteWriteHandler;
import io.sightline.server.metrics.SelfMetrics;
import java.util.List;
import java.util.Set;

/** The routes the modules contribute: one place that lists every API, ingest and UI endpoint. */
public final class Endpoints {
    private Endpoints() {}

    public static List<Endpoint> modules(TsdbOpener storage, SightlineConfig config, SelfMetrics metrics) {
        int writers = Math.max(2, Runtime.getRuntime().availableProcessors());
        return List.of(
                Endpoint.of("/api/v1/write", Set.of(HttpMethod.POST), Scope.WRITE,
                        new RemoteWriteHandler(storage::storage, () -> config.limits().maxRequestBodyBytes(), writers,
                                metrics.registry())));
    }
}
