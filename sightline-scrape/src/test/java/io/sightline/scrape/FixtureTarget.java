package io.sightline.scrape;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;

/** A real HTTP target on a local port whose answer a test sets; it records each request's headers. */
final class FixtureTarget implements AutoCloseable {
    record Answer(int status, String contentType, String body, boolean gzip, long delayMs) {
        static Answer text(String body) {
            return new Answer(200, "text/plain; version=0.0.4; charset=utf-8", body, false, 0);
        }
    }

    private final HttpServer server;
    volatile Answer answer = Answer.text("");
    final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();
    final List<String> queries = new CopyOnWriteArrayList<>();

    FixtureTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.add(Map.copyOf(ex.getRequestHeaders()));
            queries.add(String.valueOf(ex.getRequestURI().getRawQuery()));
            Answer a = answer;
            try {
                if (a.delayMs() > 0) {
                    Thread.sleep(a.delayMs());
                }
                byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
                if (a.gzip()) {
                    ByteArrayOutputStream bo = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
                        gz.write(body);
                    }
                    body = bo.toByteArray();
                    ex.getResponseHeaders().set("Content-Encoding", "gzip");
                }
                ex.getResponseHeaders().set("Content-Type", a.contentType());
                ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException | IOException e) {
                ex.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fixture-target");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
