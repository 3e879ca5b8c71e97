package io.sightline.scrape;

import io.sightline.common.Labels;
import java.util.List;

/** A {@code static_configs} entry: targets as {@code host:port} and labels for all of them. */
public record StaticConfig(List<String> targets, Labels labels) {}
