/** The {@code sightline} command line (picocli): {@code server}, {@code check}, {@code token}. */
package io.sightline.server.cli;
