package io.sightline.promql.engine;

import io.sightline.common.Labels;

/** Label sets as Prometheus prints them in error messages: {@code {__name__="a", b="c"}}. */
final class LabelText {

    private LabelText() {}

    static String braces(Labels l) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(l.name(i)).append("=\"");
            Labels.escape(l.value(i), sb);
            sb.append('"');
        }
        return sb.append('}').toString();
    }
}
