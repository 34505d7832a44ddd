package dev.sluice.executor.impl.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run log write to a PostgreSQL that never answers (a stalled server: the socket accepts and
 * stays silent) gives up within its timeout; its rows stay buffered for the next write, the
 * failure is counted, and the run log reports itself unhealthy.
 */
class RunLogTimeoutTest {

    private Vertx vertx;
    private int port;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        NetServer silent = vertx.createNetServer().connectHandler(socket -> socket.handler(b -> {}));
        port = silent.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aWriteToAStalledDatabaseGivesUpWithinItsTimeoutAndKeepsItsRows() throws Exception {
        Pool pool = PgBuilder.pool()
                .connectingTo(new PgConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setDatabase("d")
                        .setUser("u")
                        .setPassword("p"))
                .using(vertx)
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PgRunLog log = new PgRunLog(vertx, pool, "e", 100, 10, Duration.ofMillis(300), registry);
        log.offer(new RunLog.Row(
                "id", "r", "w", RunLog.Outcome.SUCCEEDED, 1, 1L, 2L, 3L, "t", 0, 0L, null, Long.MAX_VALUE, -1));
        long begin = System.nanoTime();
        vertx.getOrCreateContext().runOnContext(v -> log.flush());
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> registry.get("sluice.executor.runlog.failures")
                                .counter()
                                .count()
                        == 1.0);
        assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(5), "bounded by the write timeout");
        assertEquals(1, log.buffered(), "the row waits for the next write");
        assertTrue(!log.healthy());
    }
}
