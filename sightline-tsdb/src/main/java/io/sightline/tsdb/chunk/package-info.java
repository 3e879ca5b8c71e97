/** Compressed sample chunks (Gorilla-style) and the bit-level writer and reader beneath them. */
package io.sightline.tsdb.chunk;
