/**
 * The in-memory reference implementation of {@link io.sightline.tsdb.Storage}: simple enough to be
 * obviously right, so that it serves as the model the durable engine is compared with in property tests.
 * Not for production: no persistence, no compression, one lock.
 */
package io.sightline.tsdb.memory;
