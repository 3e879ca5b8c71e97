/** Process lifecycle: the data-dir lock, start-up order, readiness, reload and graceful shutdown. */
package io.sightline.server.lifecycle;
