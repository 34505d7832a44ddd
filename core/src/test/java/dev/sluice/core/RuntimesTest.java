package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RuntimesTest {

    @Test
    void anAppWhoseCloseBelongsToAnEventLoopStopsCleanlyWithItsVertx() {
        Vertx vertx = Vertx.vertx();
        Context loop = vertx.getOrCreateContext();
        AtomicBoolean appClosed = new AtomicBoolean();
        // As a Sluice app's close does: its future completes on one of the app's event loops, a little later.
        boolean clean = Runtimes.stop(
                "test",
                () -> {
                    Promise<Void> p = ((io.vertx.core.internal.ContextInternal) loop).promise();
                    loop.runOnContext(v -> vertx.setTimer(50, t -> {
                        appClosed.set(true);
                        p.complete();
                    }));
                    return p.future();
                },
                Duration.ofSeconds(20),
                vertx);
        assertTrue(appClosed.get());
        // Chained with eventually(vertx::close), the waiter never hears the end and gives up at the bound: not clean.
        assertTrue(clean, "the app or Vert.x did not close within its bound");
    }

    @Test
    void anAppThatNeverClosesIsGivenUpOnAtItsBound() {
        Vertx vertx = Vertx.vertx();
        boolean clean = Runtimes.stop("test", () -> Promise.<Void>promise().future(), Duration.ofMillis(200), vertx);
        assertFalse(clean);
    }
}
