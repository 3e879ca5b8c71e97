/**
 * Contract suites: abstract JUnit classes that every implementation of a contract extends (Zipkin's
 * {@code ITStorage} pattern), so the reference and the production implementations are held to the
 * same tests.
 */
package io.sightline.testkit;
