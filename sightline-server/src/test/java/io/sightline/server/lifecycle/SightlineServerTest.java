package io.sightline.server.lifecycle;

import static io.sightline.server.TestHttp.get;
import static io.sightline.server.lifecycle.TestServers.url;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import io.sightline.server.StartupException;
import io.sightline.server.TestHttp;
import io.sightline.server.auth.Scope;
import io.sightline.server.config.HostPort;
import io.sightline.server.http.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SightlineServerTest {
    @TempDir
    Path tmp;

    @Test
    void ready_is503WhileStorageOpens_then200_healthyAnswersThroughout() throws Exception {
        int port = TestHttp.freePort();
        CountDownLatch opening = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<SightlineServer> server = new AtomicReference<>();
        Thread starter = new Thread(() -> server.set(TestServers.start(null, tmp.resolve("data"), port, List.of(), (dir, metrics) -> {
            opening.countDown();
            release.await();
            return () -> { };
        })));
        starter.start();
        assertThat(opening.await(10, TimeUnit.SECONDS)).isTrue();
        String base = "http://127.0.0.1:" + port;
        assertThat(get(base + "/-/healthy").statusCode()).isEqualTo(200);
        var notReady = get(base + "/-/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("\"errorType\":\"unavailable\"").contains("storage is not open yet");
        release.countDown();
        starter.join(10_000);
        try (SightlineServer s = server.get()) {
            assertThat(get(base + "/-/ready").statusCode()).isEqualTo(200);
            assertThat(get(base + "/-/ready").body()).isEqualTo("Sightline is Ready.\n");
            assertThat(s.isReady()).isTrue();
        }
    }

    @Test
    void close_letsInFlightRequestsFinish_thenClosesStorage_andReleasesTheLock() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch storageClosed = new CountDownLatch(1);
        Endpoint slow = Endpoint.of("/test/slow", Set.of(HttpMethod.GET), Scope.READ, (ctx, req) -> {
            inHandler.countDown();
            return HttpResponse.delayed(HttpResponse.of(HttpStatus.OK), Duration.ofMillis(800));
        });
        Path data = tmp.resolve("data");
        SightlineServer s = TestServers.start(null, data, 0, List.of(slow), (dir, metrics) -> storageClosed::countDown);
        CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(() -> get(url(s, "/test/slow")).statusCode());
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        s.close();
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).as("the in-flight request completes").isEqualTo(200);
        assertThat(storageClosed.getCount()).isZero();
        // The lock is released: a new server can use the same data dir.
        TestServers.start(null, data, List.of()).close();
    }

    @Test
    void start_secondServerOnSameDataDir_failsWithLockMessage() {
        Path data = tmp.resolve("data");
        try (SightlineServer first = TestServers.start(null, data, List.of())) {
            ConfigSource source = new ConfigSource(null, data, new HostPort("127.0.0.1", 0));
            assertThatThrownBy(() -> SightlineServer.start(source, source.load(),
                    new SightlineServer.Options((dir, metrics) -> () -> { }, m -> List.of(), Duration.ofSeconds(1))))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("it is in use by another Sightline process")
                    .hasMessageContaining(data.resolve("lock").toString());
        }
    }

    @Test
    void start_portInUse_failsWithAddressMessage_andReleasesTheDataDir() throws Exception {
        try (SightlineServer first = TestServers.start(null, tmp.resolve("a"), List.of())) {
            int port = first.address().getPort();
            Path data = tmp.resolve("b");
            ConfigSource source = new ConfigSource(null, data, new HostPort("127.0.0.1", port));
            assertThatThrownBy(() -> SightlineServer.start(source, source.load(),
                    new SightlineServer.Options((dir, metrics) -> () -> { }, m -> List.of(), Duration.ofSeconds(1))))
                    .isInstanceOf(StartupException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + ": address already in use; stop the other process"
                            + " or choose another address with --http-address or listeners.http.address");
            TestServers.start(null, data, List.of()).close();
        }
    }

    @Test
    void start_dataDirIsAFile_failsWithMessage() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> DataDirectory.open(file)).isInstanceOf(StartupException.class)
                .hasMessageContaining("exists and is not a directory; choose another with --data-dir");
        assertThatThrownBy(() -> DataDirectory.open(file.resolve("sub"))).isInstanceOf(StartupException.class)
                .hasMessageContaining("cannot");
    }

    @Test
    void unknownPathAndWrongMethod_getJsonErrors() {
        try (SightlineServer s = TestServers.start(null, tmp.resolve("d"), List.of())) {
            var r = get(url(s, "/no/such/thing"));
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
            assertThat(r.body()).isEqualTo(
                    "{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"no such endpoint: GET /no/such/thing\"}");
            var m = TestHttp.send("DELETE", url(s, "/-/healthy"), null, null);
            assertThat(m.statusCode()).isEqualTo(405);
            assertThat(m.body()).contains("\"errorType\":\"method_not_allowed\"");
            assertThat(r.headers().firstValue("x-request-id")).isPresent();
        }
    }

    @Test
    void oversizedBody_gets413WithTheLimit() throws Exception {
        Path config = Files.writeString(tmp.resolve("c.yml"), "limits:\n  max_request_body_size: 2KiB\n");
        Endpoint echo = Endpoint.of("/test/echo", Set.of(HttpMethod.POST), Scope.WRITE,
                (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(a -> com.linecorp.armeria.common.HttpResponse.of(
                        "got " + a.content().length()))));
        try (SightlineServer s = TestServers.start(config, tmp.resolve("d"), 0, List.of(echo), null)) {
            assertThat(TestHttp.send("POST", url(s, "/test/echo"), null, "x".repeat(100)).body()).isEqualTo("got 100");
            var r = TestHttp.send("POST", url(s, "/test/echo"), null, "x".repeat(5000));
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).contains("\"errorType\":\"too_large\"").contains("limit of 2048 bytes");
        }
    }
}
