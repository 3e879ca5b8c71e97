/**
 * The Prometheus HTTP query API ({@code /api/v1/query}, {@code query_range}, {@code series},
 * {@code labels}, {@code label/<name>/values}, {@code format_query}, {@code status/*} ...) over the
 * PromQL engine, with Prometheus's parameter syntax, response shapes and error types; beside it the
 * Alertmanager-compatible APIs and the dashboards API of the web UI, with its panel embed endpoint.
 */
package io.sightline.server.query;
