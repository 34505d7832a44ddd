package dev.sluice.core.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.FutureInternal;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.SimpleStringType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How commands reach the client underneath; that the batches work against a real Redis is in the ITs. */
class TurnBatchedRedisTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Records what it is asked and answers every command "OK". */
    private static class Recording implements Redis {
        final List<Integer> batches = new ArrayList<>();
        int singles;
        /** Answer each command of a batch with its place in it ("r0", "r1", ...), not "OK". */
        boolean answerEach;

        @Override
        public Future<Response> send(Request request) {
            singles++;
            return Future.succeededFuture(SimpleStringType.create("OK"));
        }

        @Override
        public Future<List<Response>> batch(List<Request> requests) {
            batches.add(requests.size());
            List<Response> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                out.add(SimpleStringType.create(answerEach ? "r" + i : "OK"));
            }
            return Future.succeededFuture(out);
        }

        @Override
        public Future<RedisConnection> connect() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }

    @Test
    void theCommandsOfOneEventLoopTurnTravelAsOneBatch() throws Exception {
        Recording under = new Recording();
        TurnBatchedRedis redis = new TurnBatchedRedis(under);
        CompletableFuture<List<String>> answers = new CompletableFuture<>();
        List<Boolean> onTheLoop = new ArrayList<>();
        vertx.runOnContext(v -> {
            List<Future<Response>> all = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Future<Response> f =
                        redis.send(Request.cmd(Command.SET).arg("k" + i).arg("v"));
                // Bound to this loop, so a caller's timeout() is scheduled here and not on a global thread.
                onTheLoop.add(((FutureInternal<Response>) f).context() == vertx.getOrCreateContext());
                all.add(f);
            }
            Future.all(all)
                    .onComplete(ar -> answers.complete(
                            all.stream().map(f -> f.result().toString()).toList()));
        });
        assertEquals(
                List.of("OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK", "OK"), answers.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(10), under.batches, "one pipelined batch of ten");
        assertEquals(java.util.Collections.nCopies(10, true), onTheLoop);
        assertEquals(0, under.singles);
    }

    @Test
    void requestsOnDuplicatesOfOneLoopsContextShareItsBatch() throws Exception {
        Recording under = new Recording();
        TurnBatchedRedis redis = new TurnBatchedRedis(under);
        CompletableFuture<Void> done = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            // As the HTTP server does: every request gets its own duplicate of the loop's context.
            io.vertx.core.internal.ContextInternal loop =
                    (io.vertx.core.internal.ContextInternal) vertx.getOrCreateContext();
            List<Future<Response>> all = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                loop.duplicate()
                        .runOnContext(
                                x -> all.add(redis.send(Request.cmd(Command.GET).arg("k"))));
            }
            loop.runOnContext(x -> Future.all(all).onComplete(ar -> done.complete(null)));
        });
        done.get(5, TimeUnit.SECONDS);
        assertEquals(0, under.singles);
        assertEquals(5, under.batches.stream().mapToInt(Integer::intValue).sum());
        assertEquals(1, under.batches.size(), "the five requests' commands went in one batch: " + under.batches);
    }

    @Test
    void withAWindowTheCommandsOfSeveralTurnsShareOneBatch() throws Exception {
        Recording under = new Recording();
        TurnBatchedRedis redis = new TurnBatchedRedis(under, c -> under, java.time.Duration.ofMillis(200));
        CompletableFuture<Void> done = new CompletableFuture<>();
        io.vertx.core.Context loop = vertx.getOrCreateContext();
        loop.runOnContext(v -> {
            Future<Response> first = redis.send(Request.cmd(Command.GET).arg("a"));
            // A later turn of the same loop, well inside the window.
            vertx.setTimer(20, t -> {
                Future<Response> second = redis.send(Request.cmd(Command.GET).arg("b"));
                Future.all(first, second).onComplete(ar -> done.complete(null));
            });
        });
        done.get(5, TimeUnit.SECONDS);
        assertEquals(List.of(2), under.batches, "both turns' commands left together when the window closed");
    }

    @Test
    void aCallersPipelineJoinsTheTurnsBatchAndGetsItsOwnRepliesInOrder() throws Exception {
        Recording under = new Recording();
        under.answerEach = true;
        TurnBatchedRedis redis = new TurnBatchedRedis(under);
        CompletableFuture<List<String>> answers = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            Future<List<Response>> first = redis.batch(List.of(
                    Request.cmd(Command.SET).arg("a").arg("1"),
                    Request.cmd(Command.GET).arg("a")));
            Future<Response> single = redis.send(Request.cmd(Command.GET).arg("b"));
            Future<List<Response>> second = redis.batch(List.of(
                    Request.cmd(Command.SET).arg("c").arg("1"),
                    Request.cmd(Command.GET).arg("c")));
            Future.all(first, single, second).onComplete(ar -> {
                List<String> seen = new ArrayList<>();
                first.result().forEach(r -> seen.add(r.toString()));
                seen.add(single.result().toString());
                second.result().forEach(r -> seen.add(r.toString()));
                answers.complete(seen);
            });
        });
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), answers.get(5, TimeUnit.SECONDS));
        assertEquals(List.of(5), under.batches, "two pipelines and a single command in one round trip");
    }

    @Test
    void aFailedRoundTripFailsEveryPipelineInIt() throws Exception {
        Redis failing = new Recording() {
            @Override
            public Future<List<Response>> batch(List<Request> requests) {
                return Future.failedFuture("connection lost");
            }
        };
        TurnBatchedRedis redis = new TurnBatchedRedis(failing);
        CompletableFuture<List<String>> causes = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            Future<List<Response>> first =
                    redis.batch(List.of(Request.cmd(Command.GET).arg("a")));
            Future<List<Response>> second =
                    redis.batch(List.of(Request.cmd(Command.GET).arg("b")));
            Future.join(first, second)
                    .onComplete(ar -> causes.complete(
                            List.of(first.cause().getMessage(), second.cause().getMessage())));
        });
        assertEquals(List.of("connection lost", "connection lost"), causes.get(5, TimeUnit.SECONDS));
    }

    @Test
    void offAnEventLoopEachCommandGoesAsItIs() {
        Recording under = new Recording();
        TurnBatchedRedis redis = new TurnBatchedRedis(under);
        redis.send(Request.cmd(Command.GET).arg("a"));
        redis.send(Request.cmd(Command.GET).arg("b"));
        assertEquals(2, under.singles);
        assertEquals(List.of(), under.batches);
    }
}
