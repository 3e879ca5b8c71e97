/**
 * Wire formats for pushed metrics. Each protocol has its own package holding its parser; the HTTP and
 * socket handlers that use them live in {@code sightline-server}. Parsers never store anything: they
 * decode fully, report malformed input with a precise typed error, and hand valid series to a sink.
 */
package io.sightline.ingest;
