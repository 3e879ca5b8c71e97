package io.sightline.server.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.sightline.alerting.notify.Notifier;
import io.sightline.alerting.notify.NotifierConfig;
import io.sightline.server.auth.Scope;
import io.sightline.server.http.Endpoint;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/receivers}: each configured receiver with its integrations and delivery figures
 * (notifications sent, attempts failed, the last error and when), so a failing channel shows in the
 * API and not only in the log. In Prometheus's response envelope.
 */
public final class ReceiversApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Notifier> notifier;

    public ReceiversApi(Supplier<Notifier> notifier) {
        this.notifier = notifier;
    }

    public List<Endpoint> endpoints() {
        return List.of(Endpoint.of("/api/v1/receivers", Set.of(HttpMethod.GET), Scope.READ, (ctx, req) -> {
            Notifier n = notifier.get();
            ObjectNode root = JSON.createObjectNode().put("status", "success");
            ArrayNode list = root.putObject("data").putArray("receivers");
            for (NotifierConfig.Receiver r : n.receivers()) {
                ObjectNode o = list.addObject().put("name", r.name());
                ArrayNode kinds = o.putArray("integrations");
                for (NotifierConfig.Integration i : r.integrations()) {
                    kinds.add(kind(i));
                }
                Notifier.Stats st = n.stats().get(r.name());
                o.put("sent", st == null ? 0 : st.sent.get());
                o.put("failed", st == null ? 0 : st.failed.get());
                o.put("lastError", st == null ? "" : st.lastError);
                time(o, "lastErrorAt", st == null ? 0 : st.lastFailureAt);
                time(o, "lastSuccessAt", st == null ? 0 : st.lastSuccessAt);
            }
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, root.toString());
        }));
    }

    private static String kind(NotifierConfig.Integration i) {
        if (i instanceof NotifierConfig.Webhook) {
            return "webhook";
        }
        if (i instanceof NotifierConfig.Slack) {
            return "slack";
        }
        if (i instanceof NotifierConfig.PagerDuty) {
            return "pagerduty";
        }
        return "email";
    }

    private static void time(ObjectNode o, String field, long ms) {
        if (ms == 0) {
            o.putNull(field);
        } else {
            o.put(field, Instant.ofEpochMilli(ms).toString());
        }
    }
}
