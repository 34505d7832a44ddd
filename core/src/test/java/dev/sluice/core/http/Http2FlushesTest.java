package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class Http2FlushesTest {

    private Vertx vertx;
    private HttpServer server;
    private final List<Boolean> installed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHttp2ClearTextEnabled(true))
                .connectionHandler(conn -> installed.add(Http2Flushes.coalesce(conn)))
                // Answer outside the read, as the router does after the broker's ack.
                .requestHandler(req -> req.body()
                        .onSuccess(b -> vertx.setTimer(
                                1, t -> req.response().setStatusCode(202).end("ok"))));
        get(server.listen());
    }

    @AfterEach
    void stop() throws Exception {
        get(vertx.close());
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private int post(HttpVersion version) throws Exception {
        HttpClientAgent client = vertx.createHttpClient(
                new HttpClientOptions().setProtocolVersion(version).setHttp2ClearTextUpgrade(false));
        try {
            return get(client.request(new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setHost("127.0.0.1")
                            .setPort(server.actualPort())
                            .setURI("/"))
                    .compose(r -> r.send("x"))
                    .compose(r -> r.body().map(b -> r.statusCode())));
        } finally {
            get(client.close());
        }
    }

    @Test
    void http2ConnectionsCoalesceTheirFlushesAndAnswersStillLeave() throws Exception {
        assertEquals(202, post(HttpVersion.HTTP_2));
        assertEquals(List.of(true), installed);
    }

    @Test
    void http11ConnectionsAreLeftAsTheyAre() throws Exception {
        assertEquals(202, post(HttpVersion.HTTP_1_1));
        assertEquals(List.of(false), installed);
    }
}
