package dev.sluice.executor;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay to a real server that can be stalled: while stalled it stops reading what clients
 * send, as a server that hangs would (requests wait, nothing is refused); released, everything
 * that waited flows on. For faults the real server cannot be told to make.
 */
final class StallableProxy implements AutoCloseable {

    private final NetServer server;
    private final List<NetSocket> clients = new CopyOnWriteArrayList<>();
    private volatile boolean stalled;

    StallableProxy(Vertx vertx, String host, int port) throws Exception {
        this.server = vertx.createNetServer().connectHandler(client -> {
            client.pause();
            vertx.createNetClient()
                    .connect(port, host)
                    .onSuccess(upstream -> {
                        clients.add(client);
                        client.handler(upstream::write);
                        upstream.handler(client::write);
                        client.closeHandler(v -> upstream.close());
                        upstream.closeHandler(v -> client.close());
                        if (!stalled) {
                            client.resume();
                        }
                    })
                    .onFailure(e -> client.close());
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    void stall() {
        stalled = true;
        clients.forEach(NetSocket::pause);
    }

    void release() {
        stalled = false;
        clients.forEach(NetSocket::resume);
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
