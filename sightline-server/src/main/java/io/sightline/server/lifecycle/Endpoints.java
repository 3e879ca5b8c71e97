package io.sightline.server.lifecycle;

import com.linecorp.armeria.common.HttpMethod;
import io.sightline.server.auth.Scope;
import io.sightline.server.config.SightlineConfig;
import io.sightline.server.dashboards.DashboardStore;
import io.sightline.server.http.Endpoint;
import io.sightline.server.ingest.InfluxWriteHandler;
import io.sightline.ingest.otlp.DeltaAccumulator;
import io.sightline.ingest.otlp.OtlpMetricsTranslator;
import io.sightline.server.ingest.IngestPipeline;
import io.sightline.server.ingest.OtlpGrpcService;
import io.sightline.server.ingest.OtlpHttpHandler;
import io.sightline.server.ingest.RemoteWriteHandler;
import io.sightline.server.ingest.TextImportHandler;
import io.sightline.server.metrics.SelfMetrics;
import io.sightline.server.query.DashboardsApi;
import io.sightline.server.query.EmbedApi;
import io.sightline.server.query.QueryApi;
import io.sightline.server.query.StatusApi;
import io.sightline.server.query.RulesApi;
import io.sightline.server.query.SilencesApi;
import io.sightline.server.query.TargetsApi;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/** The routes the modules contribute: one place that lists every API, ingest and UI endpoint. */
public final class Endpoints {
    private Endpoints() {}

    public static List<Endpoint> modules(TsdbOpener storage, SightlineConfig config, SelfMetrics metrics) {
        return modules(storage, () -> config, metrics);
    }

    /**
     * @param configs the config in force, read at each use: a reload changes the query limits, body
     *     limit and ingest relabeling of running endpoints
     */
    public static List<Endpoint> modules(TsdbOpener storage, java.util.function.Supplier<SightlineConfig> configs,
            SelfMetrics metrics) {
        return modules(storage, configs, metrics, null);
    }

    /**
     * @param scrapes the scrape service whose targets the API shows, or null when none runs
     */
    public static List<Endpoint> modules(TsdbOpener storage, java.util.function.Supplier<SightlineConfig> configs,
            SelfMetrics metrics, ScrapeService scrapes) {
        return modules(storage, configs, metrics, scrapes, null);
    }

    /**
     * @param alerting the rule evaluation whose rules and alerts the API shows, or null when none runs
     */
    public static List<Endpoint> modules(TsdbOpener storage, java.util.function.Supplier<SightlineConfig> configs,
            SelfMetrics metrics, ScrapeService scrapes, AlertingService alerting) {
        IngestPipeline ingest = new IngestPipeline(storage::storage, () -> configs.get().ingest().relabelConfigs(),
                () -> configs.get().limits().maxSeriesPerRequest(), Math.max(2, Runtime.getRuntime().availableProcessors()), metrics.registry());
        LongSupplier maxBody = () -> configs.get().limits().maxRequestBodyBytes();
        OtlpMetricsTranslator otlp = new OtlpMetricsTranslator(new DeltaAccumulator(3_600_000L, 1_000_000));
        OtlpHttpHandler otlpHttp = new OtlpHttpHandler(ingest, otlp, maxBody);
        StatusApi status = new StatusApi(configs, metrics, storage.walReplay());
        QueryApi query = new QueryApi(storage::storage, configs, status);
        List<Endpoint> out = new java.util.ArrayList<>(query.endpoints());
        // In the data dir, like silences.json and snapshots/: storage.path is locked before the endpoints
        // are made and keeps its value across reloads, and the store reads its files at first use.
        DashboardStore dashboards = new DashboardStore(configs.get().storage().path().resolve("dashboards"));
        out.addAll(new DashboardsApi(dashboards).endpoints());
        out.addAll(new EmbedApi(query, dashboards, () -> configs.get().auth().enabled()).endpoints());
        out.addAll(new TargetsApi(() -> scrapes == null ? null : scrapes.manager()).endpoints());
        out.addAll(new RulesApi(() -> alerting == null ? null : alerting.rules()).endpoints());
        if (alerting != null) {
            out.addAll(new SilencesApi(alerting::silences, System::currentTimeMillis).endpoints());
            out.addAll(new io.sightline.server.query.AlertsApi(alerting::notifier, alerting::silences,
                    () -> alerting.notifier().receiverNames(), System::currentTimeMillis).endpoints());
            out.addAll(new io.sightline.server.query.ReceiversApi(alerting::notifier).endpoints());
        }
        out.addAll(io.sightline.server.http.UiRoutes.endpoints());
        out.addAll(List.of(
                Endpoint.of("/api/v1/write", Set.of(HttpMethod.POST), Scope.WRITE, new RemoteWriteHandler(ingest, maxBody)),
                Endpoint.of("/api/v1/import/prometheus", Set.of(HttpMethod.POST), Scope.WRITE,
                        new TextImportHandler(ingest, maxBody)),
                Endpoint.of("/v1/metrics", Set.of(HttpMethod.POST), Scope.WRITE, otlpHttp),
                Endpoint.of("/api/v1/otlp/v1/metrics", Set.of(HttpMethod.POST), Scope.WRITE, otlpHttp),
                Endpoint.of(OtlpGrpcService.PATH, Set.of(HttpMethod.POST), Scope.WRITE, OtlpGrpcService.create(ingest, otlp,
                        (int) Math.min(Integer.MAX_VALUE, configs.get().limits().maxRequestBodyBytes()))),
                Endpoint.of("/write", Set.of(HttpMethod.POST), Scope.WRITE, new InfluxWriteHandler(ingest, maxBody, false)),
                Endpoint.of("/api/v2/write", Set.of(HttpMethod.POST), Scope.WRITE, new InfluxWriteHandler(ingest, maxBody, true)),
                // InfluxDB clients check liveness here before writing. InfluxDB answers it without
                // credentials; with auth on, Sightline answers only /-/healthy without a token.
                Endpoint.of("/ping", Set.of(HttpMethod.GET, HttpMethod.HEAD), Scope.WRITE,
                        (ctx, req) -> com.linecorp.armeria.common.HttpResponse.of(
                                com.linecorp.armeria.common.HttpStatus.NO_CONTENT))));
        return List.copyOf(out);
    }
}
