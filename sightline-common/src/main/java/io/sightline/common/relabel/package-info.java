/** Prometheus relabeling: rules ({@link io.sightline.common.relabel.RelabelConfig}) and their application. */
package io.sightline.common.relabel;
