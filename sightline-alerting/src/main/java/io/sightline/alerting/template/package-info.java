/**
 * Go's {@code text/template} language with Prometheus's template functions, for alert labels and
 * annotations ({@code {{ $labels.instance }} is down}, {@code {{ $value | humanize }}}) and the
 * notifier's messages.
 */
package io.sightline.alerting.template;
