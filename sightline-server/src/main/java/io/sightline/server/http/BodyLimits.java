package io.sightline.server.http;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;

/**
 * A body limit of one endpoint below the server's ({@code limits.max_request_body_size}), e.g. for
 * documents with a size rule of their own. A body beyond it gets the same 413 as any other, with the
 * limit that applied named in the message.
 */
public final class BodyLimits {
    private static final AttributeKey<String> REASON = AttributeKey.valueOf(BodyLimits.class, "reason");

    private BodyLimits() {}

    /**
     * Lowers this request's limit to {@code bytes}, unless the server's is lower already. Call before
     * the body is read.
     *
     * @param reason why, for the 413 message, e.g. {@code dashboards are at most 1 MiB}
     */
    public static void lower(ServiceRequestContext ctx, long bytes, String reason) {
        long current = ctx.maxRequestLength();
        if (current <= 0 || bytes < current) {
            ctx.setMaxRequestLength(bytes);
            ctx.setAttr(REASON, reason);
        }
    }

    /** The 413 message for this request. */
    static String tooLarge(ServiceRequestContext ctx) {
        if (ctx == null) {
            return "request body too large";
        }
        String reason = ctx.attr(REASON);
        return "request body larger than the limit of " + ctx.maxRequestLength() + " bytes ("
                + (reason == null ? "limits.max_request_body_size" : reason) + ")";
    }
}
