package io.sightline.alerting.template;

import java.util.List;
import java.util.Map;

/** What a template's {@code query} runs: PromQL at the evaluation time, as samples (labels, value). */
@FunctionalInterface
public interface QueryFunc {
    /** @throws Exception why the query failed; the template call fails with it */
    List<Map.Entry<Map<String, String>, Double>> query(String promql) throws Exception;
}
