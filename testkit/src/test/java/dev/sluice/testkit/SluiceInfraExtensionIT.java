package dev.sluice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SluiceInfra} next to vertx-junit5: each resolves its own parameter types. */
@SluiceInfra
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SluiceInfraExtensionIT {

    private static Redis redisFromBeforeAll;
    private final KafkaBroker kafka;
    private io.vertx.core.http.HttpClient client;

    SluiceInfraExtensionIT(KafkaBroker kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    static void beforeAll(Redis redis) {
        redisFromBeforeAll = redis;
    }

    @Test
    @Order(1)
    void injectsTheSharedInfrastructureAndAWebhookTargetNextToVertx(
            Vertx vertx, VertxTestContext testContext, Redis redis, Postgres postgres, WebhookTarget target) {
        assertSame(Infra.kafka(), kafka);
        assertSame(Infra.redis(), redis);
        assertSame(redisFromBeforeAll, redis);
        assertSame(Infra.postgres(), postgres);
        assertTrue(kafka.isRunning());

        // Held in a field until the test ends: Vert.x 5 closes an HttpClient nobody references when the GC
        // collects it, and a request in flight then fails with "Pool closed".
        client = vertx.createHttpClient();
        client.request(HttpMethod.POST, target.port(), "127.0.0.1", "/from-vertx")
                .compose(request -> request.send(Buffer.buffer("hello")))
                .onComplete(testContext.succeeding(response -> testContext.verify(() -> {
                    assertEquals(200, response.statusCode());
                    assertEquals("hello", target.received("/from-vertx").get(0).bodyAsString());
                    testContext.completeNow();
                })));
    }

    @Test
    @Order(2)
    void theWebhookTargetIsSharedByTheClassAndResetBeforeEachTest(WebhookTarget target) {
        assertEquals(0, target.received().size(), "reset before this test");
    }

    @Test
    @Order(3)
    void theSharedBrokerIsRestartedWhenATestLeftItStopped() {
        kafka.stop();
        assertSame(kafka, Infra.kafka());
        assertTrue(kafka.isRunning());
    }
}
