/** HTTP handlers for pushed metrics; the wire formats themselves are parsed in {@code sightline-ingest}. */
package io.sightline.server.ingest;
