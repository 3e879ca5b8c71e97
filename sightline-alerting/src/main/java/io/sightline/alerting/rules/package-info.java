/**
 * Prometheus rule files: recording and alerting rules, read and checked as {@code promtool} does,
 * evaluated on schedule against the PromQL engine, with alert state and the {@code ALERTS} series.
 */
package io.sightline.alerting.rules;
