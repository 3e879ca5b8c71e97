package io.sightline.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import io.sightline.server.auth.Scope;
import io.sightline.server.auth.TokenAuthenticator;
import io.sightline.server.config.HostPort;
import io.sightline.server.config.SightlineConfig.AuthConfig;
import io.sightline.server.metrics.SelfMetrics;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerFactoryTest {
    private final Map<String, ExchangeType> seen = new ConcurrentHashMap<>();
    private SelfMetrics metrics;
    private Server server;

    @BeforeEach
    void start() {
        metrics = new SelfMetrics();
        List<Endpoint> endpoints = List.of(
                Endpoint.open("/open", Set.of(HttpMethod.GET), (ctx, req) -> {
                    seen.put("open", ctx.exchangeType());
                    return HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "whole");
                }),
                // Scoped (so wrapped in the auth check too), answered later from another thread.
                Endpoint.of("/later", Set.of(HttpMethod.GET, HttpMethod.POST), Scope.READ, (ctx, req) -> {
                    seen.put("later", ctx.exchangeType());
                    return HttpResponse.of(req.aggregate().thenCompose(agg -> CompletableFuture.supplyAsync(
                            () -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8,
                                    "read " + agg.content().length()))));
                }));
        server = HttpServerFactory.build(new HostPort("127.0.0.1", 0), endpoints,
                new TokenAuthenticator(() -> new AuthConfig(false, List.of())), metrics, () -> 1 << 20,
                Duration.ofSeconds(1));
        server.start().join();
    }

    @AfterEach
    void stop() {
        server.stop().join();
        metrics.close();
    }

    /**
     * One HTTP/1.1 exchange over a plain socket, as curl or Python's urllib make it: the head and the body, read as
     * far as its content-length (Armeria leaves closing to the client, and closes itself only seconds later).
     */
    private String exchange(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.activeLocalPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int end = -1;
            while (end < 0) {
                int b = in.read();
                assertThat(b).as("the response's head ended early").isNotNegative();
                out.write(b);
                end = out.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
            }
            String head = out.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("content-length: (\\d+)\r\n").matcher(head);
            assertThat(m.find()).as("content-length in %s", head).isTrue();
            out.write(in.readNBytes(Integer.parseInt(m.group(1))));
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyEndpointAnswersWithAWholeResponse_whileItsRequestMayStillStream() throws Exception {
        String open = exchange("GET /open HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String later = exchange(
                "POST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

        assertThat(open).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 5\r\n").endsWith("\r\n\r\nwhole");
        assertThat(later).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nread 5");
        // Armeria writes head and body in one write only for a response that does not stream.
        assertThat(seen).containsOnlyKeys("open", "later");
        assertThat(seen.values()).allSatisfy(t -> {
            assertThat(t.isResponseStreaming()).isFalse();
            assertThat(t.isRequestStreaming()).isTrue();
        });
    }

    /**
     * Armeria's encoder flushes after a response's head and again after its body. Outside a read (an answer finished
     * on the query pool), each flush used to write at once: two system calls. Consolidated, both leave together in a
     * task after the current one.
     */
    @Test
    void flushesOutsideAReadAreConsolidated_untilTheEventLoopsTaskIsOver() throws Exception {
        io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
        try {
            List<String> seenByTransport = new java.util.concurrent.CopyOnWriteArrayList<>();
            io.netty.channel.Channel ch = new io.netty.channel.local.LocalChannel();
            ch.pipeline().addLast(new io.netty.handler.flush.FlushConsolidationHandler()); // as Armeria has it
            // What the built server applies to each of its connections' pipelines.
            server.config().childChannelPipelineCustomizer().accept(ch.pipeline());
            assertThat(ch.pipeline().names()).as("Armeria's handler replaced, not joined")
                    .filteredOn(n -> n.startsWith("FlushConsolidationHandler")).hasSize(1);
            // Between the transport and the handler: what would reach the socket, and when.
            ch.pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
                @Override
                public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                        io.netty.channel.ChannelPromise promise) {
                    seenByTransport.add("write " + msg);
                    promise.setSuccess();
                }

                @Override
                public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                    seenByTransport.add("flush");
                }
            });
            loop.register(ch).sync();
            // One event-loop task outside any read, as when a query's answer arrives from the pool.
            loop.submit(() -> {
                ch.pipeline().write("head");
                ch.pipeline().flush();
                ch.pipeline().write("body");
                ch.pipeline().flush();
                seenByTransport.add("task over");
            }).sync();
            loop.submit(() -> { }).sync();
            assertThat(seenByTransport).containsExactly("write head", "write body", "task over", "flush");
            ch.close().sync();
        } finally {
            loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aRequestNoEndpointMatches_stillGetsAnAnswer() throws Exception {
        String r = exchange("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(r).startsWith("HTTP/1.1 404 ");
    }
}
