package io.sightline.scrape;

import java.time.Duration;
import java.util.List;

/** A {@code file_sd_configs} entry: file globs (JSON or YAML target groups) and a re-read interval. */
public record FileSdConfig(List<String> files, Duration refreshInterval) {}
