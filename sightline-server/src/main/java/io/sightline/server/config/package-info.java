/**
 * The YAML configuration: a superset of {@code prometheus.yml} with Sightline's own sections, bound by
 * hand on SnakeYAML's node tree so that every error names {@code file:line:col}, the key and what was
 * expected.
 */
package io.sightline.server.config;
