/**
 * The write-ahead log: segmented files of CRC-checked records, written before a commit is acknowledged
 * and replayed at start-up. Format: {@code docs/format/wal.md}.
 */
package io.sightline.tsdb.wal;
