/** Reading several sources as one: blocks and the head, series merged by label set, samples by time. */
package io.sightline.tsdb.merge;
