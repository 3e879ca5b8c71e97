package io.sightline.alerting.silence;

import io.sightline.common.LabelMatcher;
import io.sightline.common.Labels;
import java.util.List;

/**
 * An Alertmanager silence: alerts matching all its matchers are not notified between {@code startsAt}
 * and {@code endsAt} (ms since the epoch).
 */
public record Silence(String id, List<Matcher> matchers, long startsAt, long endsAt, long updatedAt, String createdBy,
        String comment) {

    /** As Alertmanager's API writes a matcher. */
    public record Matcher(String name, String value, boolean isRegex, boolean isEqual) {
        LabelMatcher toLabelMatcher() {
            LabelMatcher.Type t = isRegex ? (isEqual ? LabelMatcher.Type.REGEX : LabelMatcher.Type.NOT_REGEX)
                    : (isEqual ? LabelMatcher.Type.EQUAL : LabelMatcher.Type.NOT_EQUAL);
            return LabelMatcher.of(t, name, value);
        }
    }

    public Silence {
        matchers = List.copyOf(matchers);
    }

    /** "pending", "active" or "expired" at {@code now}. */
    public String state(long now) {
        return now < startsAt ? "pending" : now < endsAt ? "active" : "expired";
    }

    public boolean mutes(Labels labels, long now) {
        if (!state(now).equals("active")) {
            return false;
        }
        for (Matcher m : matchers) {
            if (!m.toLabelMatcher().matches(labels)) {
                return false;
            }
        }
        return true;
    }
}
