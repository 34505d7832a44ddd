package dev.sluice.executor.impl.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.StepConfig;
import dev.sluice.executor.impl.ExecutorVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which protocol an {@code http} step with {@code "http2": true} speaks, with the executor's own
 * HTTP/2 client options (plus trust in a self-signed test certificate): HTTP/2 to an h2c target,
 * HTTP/2 to a TLS target that offers h2 by ALPN, HTTP/1.1 to a TLS target that does not.
 */
class Http2StepProtocolTest {

    private Vertx vertx;
    private SelfSignedCertificate cert;
    private HttpClient http2Client;
    private HttpClient http1Client;
    private final List<HttpVersion> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        cert = SelfSignedCertificate.create();
        http2Client = vertx.createHttpClient(
                ExecutorVerticle.http2ClientOptions().setTrustAll(true).setVerifyHost(false));
        http1Client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        get(vertx.close());
        cert.delete();
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private int serve(HttpServerOptions options) throws Exception {
        HttpServer server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> {
                    seen.add(req.version());
                    req.response().setStatusCode(204).end();
                });
        return get(server.listen()).actualPort();
    }

    private int call(String url) throws Exception {
        HttpStepRunner runner = new HttpStepRunner(
                vertx,
                http1Client,
                http2Client,
                new dev.sluice.executor.impl.guard.TargetGuards(
                        dev.sluice.executor.impl.guard.TargetLimits.from(
                                dev.sluice.core.Settings.of(java.util.Map.of())),
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        StepConfig.Http step = new StepConfig.Http(url, "POST", Duration.ofSeconds(5), Map.of(), true);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 0L, null, "{}".getBytes());
        io.vertx.core.Promise<HttpStepRunner.Result> result = io.vertx.core.Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(v -> runner.call(step, record, 5000).onComplete(result));
        return get(result.future()).status();
    }

    @Test
    void cleartextTargetsAreCalledOverHttp2ByPriorKnowledge() throws Exception {
        int port = serve(new HttpServerOptions().setHttp2ClearTextEnabled(true));
        assertEquals(204, call("http://127.0.0.1:" + port + "/hook"));
        assertEquals(List.of(HttpVersion.HTTP_2), seen);
    }

    @Test
    void tlsTargetsOfferingH2AreCalledOverHttp2() throws Exception {
        int port =
                serve(new HttpServerOptions().setSsl(true).setUseAlpn(true).setKeyCertOptions(cert.keyCertOptions()));
        assertEquals(204, call("https://127.0.0.1:" + port + "/hook"));
        assertEquals(List.of(HttpVersion.HTTP_2), seen);
    }

    @Test
    void tlsTargetsWithoutH2FallBackToHttp11() throws Exception {
        int port =
                serve(new HttpServerOptions().setSsl(true).setUseAlpn(false).setKeyCertOptions(cert.keyCertOptions()));
        assertEquals(204, call("https://127.0.0.1:" + port + "/hook"));
        assertEquals(List.of(HttpVersion.HTTP_1_1), seen);
    }
}
