/**
 * The composition root: the only module that knows every other one. {@code cli} parses the command
 * line, {@code config} reads the YAML config, {@code lifecycle} starts and stops the process,
 * {@code http} builds the Armeria server, {@code auth} checks tokens and {@code metrics} serves
 * Sightline's own metrics.
 */
package io.sightline.server;
