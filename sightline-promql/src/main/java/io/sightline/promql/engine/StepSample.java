package io.sightline.promql.engine;

import io.sightline.common.Labels;

/** One element of an instant vector at one evaluation step. */
final class StepSample {

    Labels labels;
    double v;
    boolean dropName;

    StepSample(Labels labels, double v, boolean dropName) {
        this.labels = labels;
        this.v = v;
        this.dropName = dropName;
    }

    /** The labels as they will read once names marked for removal are gone. */
    Labels effectiveLabels() {
        return dropName ? labels.toBuilder().remove(Labels.METRIC_NAME).build() : labels;
    }
}
