/** File I/O helpers shared by the engine's files (WAL, head chunks). */
package io.sightline.tsdb.fileio;
