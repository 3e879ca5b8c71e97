/** Bearer-token authentication with read, write and admin scopes; tokens are configured as SHA-256 hashes. */
package io.sightline.server.auth;
