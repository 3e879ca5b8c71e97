/**
 * Immutable on-disk blocks: the samples of a time range, cut from the head (or merged from smaller
 * blocks), with their chunks, label index and tombstones. Formats in {@code sightline-tsdb/docs/format/block.md}.
 */
package io.sightline.tsdb.block;
