package io.sightline.server.ingest;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.sightline.ingest.MalformedRequestException;
import io.sightline.ingest.text.TextFormatParser;
import io.sightline.server.http.ApiErrors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * {@code POST /api/v1/import/prometheus}: samples in the Prometheus text exposition format, for backfill
 * and scripts ({@code curl --data-binary @metrics.txt}). Samples without a timestamp get the
 * {@code timestamp} query parameter (milliseconds) or the time of the request. The body may be gzipped.
 * Statuses as {@link IngestPipeline}; a malformed line fails the whole body with its line number.
 */
public final class TextImportHandler implements HttpService {
    private final IngestPipeline pipeline;
    private final LongSupplier maxBodyBytes;

    /** @param maxBodyBytes also the bound on the decompressed size of a gzipped body */
    public TextImportHandler(IngestPipeline pipeline, LongSupplier maxBodyBytes) {
        this.pipeline = pipeline;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String encoding = req.headers().get(HttpHeaderNames.CONTENT_ENCODING, "identity");
        boolean gzip = encoding.equalsIgnoreCase("gzip");
        if (!gzip && !encoding.equalsIgnoreCase("identity")) {
            return ApiErrors.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "unsupported Content-Encoding \"" + encoding + "\": send plain text or gzip");
        }
        QueryParams params = ctx.queryParams();
        long defaultT = System.currentTimeMillis();
        String ts = params.get("timestamp");
        if (ts != null) {
            try {
                defaultT = Long.parseLong(ts);
            } catch (NumberFormatException e) {
                return ApiErrors.response(HttpStatus.BAD_REQUEST, "bad_data",
                        "invalid timestamp parameter \"" + ts + "\": expected milliseconds since the epoch");
            }
        }
        long t = defaultT;
        return HttpResponse.of(req.aggregate().thenCompose(agg -> pipeline.submit(agg, "prometheus_import",
                (body, sink) -> TextFormatParser.parse(text(body, gzip), t, sink))));
    }

    private String text(byte[] body, boolean gzip) throws MalformedRequestException {
        byte[] raw = gzip ? gunzip(body) : body;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedRequestException("cannot parse exposition text: the body is not valid UTF-8");
        }
    }

    private byte[] gunzip(byte[] body) throws MalformedRequestException {
        long limit = maxBodyBytes.getAsLong();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > limit) {
                    throw new MalformedRequestException("cannot parse exposition text: decompressed body exceeds the"
                            + " limit of " + limit + " bytes (limits.max_request_body_size)");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new MalformedRequestException("cannot parse exposition text: invalid gzip body: " + e.getMessage());
        }
    }
}
