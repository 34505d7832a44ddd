package dev.sluice.core;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
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

    private Runtimes() {
    }

    public static Vertx vertx(Settings settings) {
        boolean preferNative = settings.getBoolean("vertx.native.transport", true);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(preferNative));
        boolean nativeOn = vertx.isNativeTransportEnabled();
        if (nativeOn) {
            LOG.info("network transport: native epoll");
        } else if (preferNative) {
            Throwable why = vertx.unavailableNativeTransportCause();
            LOG.info("network transport: NIO (native epoll unavailable here: {})", why == null ? "not on the classpath" : why.toString());
        } else {
            LOG.info("network transport: NIO (vertx.native.transport=false)");
        }
        return vertx;
    }
}
