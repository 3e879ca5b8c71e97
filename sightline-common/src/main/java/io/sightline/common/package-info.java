/**
 * Small value types and parsers shared by every Sightline module: {@link io.sightline.common.Labels},
 * Prometheus durations, byte sizes and name validation, and numbers as Go reads and writes them
 * ({@link io.sightline.common.GoFloat}, {@link io.sightline.common.AsciiBuilder}). JDK only, no
 * dependencies, so that the engines can use it without pulling anything in.
 */
package io.sightline.common;
