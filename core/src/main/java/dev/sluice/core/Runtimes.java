package dev.sluice.core;

import dev.sluice.core.tracing.Tracing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vert.x instance of a Sluice process. With {@code vertx.native.transport} (default true) it
 * runs on Netty's native epoll transport where that is available (Linux x86-64; its library is
 * on the classpath): edge-triggered epoll without the JDK selector's bookkeeping, which measured a
 * fifth less router CPU per single event. Elsewhere it falls back to NIO and says so.
 */
public final class Runtimes {

    private static final Logger LOG = LoggerFactory.getLogger(Runtimes.class);

    private Runtimes() {}

    public static Vertx vertx(Settings settings) {
        return vertx(settings, Tracing.off());
    }

    /** With {@code tracing} on, Vert.x's OpenTelemetry tracer is on the instance (see {@link Tracing#vertx}). */
    public static Vertx vertx(Settings settings, Tracing tracing) {
        boolean preferNative = settings.getBoolean("vertx.native.transport", true);
        Vertx vertx = tracing.vertx(new VertxOptions().setPreferNativeTransport(preferNative));
        boolean nativeOn = vertx.isNativeTransportEnabled();
        if (nativeOn) {
            LOG.info("network transport: native epoll");
        } else if (preferNative) {
            Throwable why = vertx.unavailableNativeTransportCause();
            LOG.info(
                    "network transport: NIO (native epoll unavailable here: {})",
                    why == null ? "not on the classpath" : why.toString());
        } else {
            LOG.info("network transport: NIO (vertx.native.transport=false)");
        }
        return vertx;
    }

    /**
     * Stops a process's app, then its Vert.x: blocking, for a shutdown hook. Each close is waited
     * for from the calling thread. Chaining Vert.x's close onto the app's ({@code eventually}) does
     * not work: the chained future belongs to the app's event loop, which Vert.x's close has just
     * terminated, so its completion is refused and the waiter sits out its whole bound (the router
     * exited 15 s after SIGTERM, the executor 25 s, whatever their drain took).
     *
     * @param closeApp   starts the app's drain and close
     * @param appBound   the longest wait for the app
     * @return whether both closed within their bounds
     */
    public static boolean stop(String what, Supplier<Future<?>> closeApp, Duration appBound, Vertx vertx) {
        boolean appClosed = awaitClose(what, closeApp.get(), appBound);
        // Vert.x closes whatever the app did: a hung drain must not keep the process up.
        return awaitClose(what + ": Vert.x", vertx.close(), Duration.ofSeconds(5)) && appClosed;
    }

    private static boolean awaitClose(String what, Future<?> closing, Duration bound) {
        try {
            closing.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warn("{} did not close cleanly within {}: {}", what, Durations.format(bound), e.toString());
            return false;
        }
    }

    /** Registers {@link #stop} as the JVM's shutdown hook (SIGTERM). */
    public static void stopOnShutdown(String what, Supplier<Future<?>> closeApp, Duration appBound, Vertx vertx) {
        stopOnShutdown(what, closeApp, appBound, vertx, Tracing.off());
    }

    /** As {@link #stopOnShutdown(String, Supplier, Duration, Vertx)}, then exports the spans still waiting and stops tracing. */
    public static void stopOnShutdown(
            String what, Supplier<Future<?>> closeApp, Duration appBound, Vertx vertx, Tracing tracing) {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            boolean stopped = stop(what, closeApp, appBound, vertx);
                            tracing.close();
                            if (stopped) {
                                LOG.info("{} stopped", what);
                            }
                        },
                        "sluice-" + what + "-shutdown"));
    }
}
