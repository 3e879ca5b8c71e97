/** Settings of Sightline's outgoing HTTP clients (scrapes, notifications), shared by the modules that make requests. */
package io.sightline.common.http;
