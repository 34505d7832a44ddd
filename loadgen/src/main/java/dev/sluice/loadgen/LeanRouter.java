package dev.sluice.loadgen;

import dev.sluice.router.impl.kafka.EventProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The yardstick for the router: the leanest Vert.x handler that does the router's durable part —
 * read the body, produce it with Sluice's producer settings, answer 202 after the broker's ack —
 * and nothing else (no routing, ids, deadlines, headers, limits, metrics or timeouts). Run by
 * {@code sluice bench wrk --lean} on the same machine and transport as the router, so the gap
 * between the two is what Sluice's own work costs.
 *
 * <p>Usage: {@code LeanRouter <bootstrap servers> <port> <topic>}.
 */
public final class LeanRouter {

    private LeanRouter() {}

    public static void main(String[] args) {
        String bootstrap = args[0];
        int port = Integer.parseInt(args[1]);
        String topic = args[2];
        Map<String, Object> props = EventProducer.defaults(Duration.ofMillis(800), 64L * 1024 * 1024);
        props.put("bootstrap.servers", bootstrap);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        HttpServerOptions options = new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(port)
                .setTcpNoDelay(true)
                .setStrictThreadMode(true)
                .setPerFrameWebSocketCompressionSupported(false)
                .setPerMessageWebSocketCompressionSupported(false);
        int loops = Runtime.getRuntime().availableProcessors();
        vertx.deployVerticle(
                        () -> new VerticleBase() {
                            @Override
                            public Future<?> start() {
                                Context ctx = context;
                                return vertx.createHttpServer(options)
                                        .requestHandler(req -> req.body()
                                                .onSuccess(body -> producer.send(
                                                        new ProducerRecord<>(topic, body.getBytes()),
                                                        (md, err) -> ctx.runOnContext(v -> req.response()
                                                                .setStatusCode(err == null ? 202 : 503)
                                                                .end()))))
                                        .listen();
                            }
                        },
                        new io.vertx.core.DeploymentOptions().setInstances(loops))
                .await();
        System.out.println(
                "lean router listening on " + port + " (native transport: " + vertx.isNativeTransportEnabled() + ")");
    }
}
