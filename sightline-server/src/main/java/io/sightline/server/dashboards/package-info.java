/**
 * Dashboards for the web UI: the document model and its validation ({@link
 * io.sightline.server.dashboards.DashboardValidator}), the store that keeps one JSON file per dashboard
 * in {@code <data dir>/dashboards/} ({@link io.sightline.server.dashboards.DashboardStore}), and the
 * substitution of dashboard variables into panel queries ({@link
 * io.sightline.server.dashboards.VariableSubstitution}). JDK and Jackson only: the HTTP endpoints over
 * them live in {@code io.sightline.server.query}. The API and file format are described in
 * {@code docs/ui.md}.
 */
package io.sightline.server.dashboards;
