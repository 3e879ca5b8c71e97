package io.sightline.scrape;

import io.sightline.common.http.HttpClientConfig;
import io.sightline.common.relabel.RelabelConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One entry of Prometheus's {@code scrape_configs}, with the global defaults already applied. */
public record ScrapeConfig(
        String jobName,
        Duration scrapeInterval,
        Duration scrapeTimeout,
        String metricsPath,
        String scheme,
        Map<String, List<String>> params,
        boolean honorLabels,
        boolean honorTimestamps,
        boolean enableCompression,
        long sampleLimit,
        long bodySizeLimit,
        HttpClientConfig http,
        List<StaticConfig> staticConfigs,
        List<FileSdConfig> fileSdConfigs,
        List<RelabelConfig> relabelConfigs,
        List<RelabelConfig> metricRelabelConfigs) {}
