/** The Armeria HTTP server: routes, auth and observation decorators, and JSON error bodies. */
package io.sightline.server.http;
