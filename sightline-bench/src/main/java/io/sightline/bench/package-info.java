/**
 * JMH benchmarks of the hot paths. Results go to {@code docs/benchmarks.md} with the command used;
 * run with {@code -prof gc} for allocation figures.
 */
package io.sightline.bench;
