package dev.sluice.scaler;

import dev.sluice.scaler.impl.grpc.ExternalScalerMethods;
import dev.sluice.scaler.impl.grpc.proto.IsActiveResponse;
import dev.sluice.scaler.impl.grpc.proto.ScaledObjectRef;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real gRPC client (HTTP/2 over a socket) for KEDA's external scaler calls, blocking for tests. */
final class ScalerClient implements AutoCloseable {

    record Reply<T>(GrpcStatus status, String message, List<T> messages) {
        T single() {
            if (status != GrpcStatus.OK || messages.size() != 1) {
                throw new AssertionError(
                        "expected one message with OK, got " + status + " '" + message + "' " + messages);
            }
            return messages.get(0);
        }
    }

    /** One received stream message and when it arrived (System.nanoTime). */
    record Received(boolean active, long atNanos) {}

    /** An open StreamIsActive call. */
    static final class Stream {
        final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
        volatile GrpcClientRequest<ScaledObjectRef, IsActiveResponse> request;

        Received next(long timeoutMillis) throws InterruptedException {
            Received r = received.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (r == null) {
                throw new AssertionError("no StreamIsActive message within " + timeoutMillis + " ms");
            }
            return r;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final GrpcClient client = GrpcClient.client(vertx);
    private final SocketAddress server;

    ScalerClient(int port) {
        this.server = SocketAddress.inetSocketAddress(port, "127.0.0.1");
    }

    static ScaledObjectRef ref(Map<String, String> metadata) {
        return ScaledObjectRef.newBuilder()
                .setName("executor")
                .setNamespace("sluice")
                .putAllScalerMetadata(metadata)
                .build();
    }

    <Req, Resp> Reply<Resp> call(ServiceMethod<Resp, Req> method, Req message) throws Exception {
        List<Resp> messages = Collections.synchronizedList(new ArrayList<>());
        Future<Reply<Resp>> f = client.request(server, method)
                .compose(req -> req.send(message))
                .compose(resp -> {
                    resp.handler(messages::add);
                    return resp.end()
                            .transform(ar -> Future.succeededFuture(
                                    new Reply<>(resp.status(), resp.statusMessage(), List.copyOf(messages))));
                });
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    Stream stream(ScaledObjectRef ref) throws Exception {
        Stream s = new Stream();
        client.request(server, ExternalScalerMethods.Client.STREAM_IS_ACTIVE)
                .compose(req -> {
                    s.request = req;
                    return req.send(ref);
                })
                .onSuccess(resp -> resp.handler(m -> s.received.add(new Received(m.getResult(), System.nanoTime()))))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        return s;
    }

    @Override
    public void close() throws Exception {
        client.close()
                .eventually(vertx::close)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }
}
