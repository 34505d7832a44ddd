package dev.sluice.executor.impl.state;

import static dev.sluice.core.WorkflowConfig.Delivery.AT_LEAST_ONCE;
import static dev.sluice.core.WorkflowConfig.Delivery.AT_MOST_ONCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The claim protocol against a real Redis, from an event loop (so commands go through the per-turn batcher). */
@SluiceInfra
class RunClaimsIT {

    private static Vertx vertx;
    private static io.vertx.redis.client.Redis client;
    private static Context loop;

    @BeforeAll
    static void start(Redis redis) throws Exception {
        vertx = Vertx.vertx();
        client = io.vertx.redis.client.Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.uri()));
        loop = vertx.getOrCreateContext();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static <T> T onLoop(java.util.function.Supplier<Future<T>> work) throws Exception {
        Promise<T> p = Promise.promise();
        loop.runOnContext(v -> work.get().onComplete(p));
        return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RunClaims owner(String name) {
        return new RedisRunClaims(
                vertx,
                client,
                name,
                new SimpleMeterRegistry(),
                java.time.Duration.ZERO,
                java.time.Duration.ofSeconds(5));
    }

    @Test
    void manyClaimsInOneTurnEachGetTheirOwnAnswer() throws Exception {
        RunClaims a = owner("a");
        RunClaims b = owner("b");
        String event = UUID.randomUUID().toString();
        List<RunClaims.Claim> answers = onLoop(() -> {
            List<Future<RunClaims.Claim>> all = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                all.add(a.claim("r", event + "-" + i, "w", AT_MOST_ONCE, 1000, System.currentTimeMillis() + 10_000));
            }
            all.add(b.claim(
                    "r",
                    event + "-7",
                    "w",
                    AT_MOST_ONCE,
                    1000,
                    System.currentTimeMillis() + 10_000)); // the same run, in the same batch: already a's
            return Future.all(all).map(cf -> {
                List<RunClaims.Claim> out = new ArrayList<>();
                for (int i = 0; i < cf.size(); i++) {
                    out.add(cf.resultAt(i));
                }
                return out;
            });
        });
        assertEquals(301, answers.size());
        assertTrue(answers.subList(0, 300).stream().allMatch(c -> c == RunClaims.Claim.CLAIMED), answers.toString());
        assertEquals(RunClaims.Claim.DUPLICATE, answers.get(300));
        assertEquals(
                RunClaims.Claim.DUPLICATE,
                onLoop(() -> a.claim("r", event + "-7", "w", AT_MOST_ONCE, 1000, System.currentTimeMillis() + 10_000)),
                "a claim is once: even its owner's redelivery skips");
        assertEquals(
                RunClaims.Claim.DUPLICATE,
                onLoop(() -> b.claim("r", event + "-7", "w", AT_MOST_ONCE, 1000, System.currentTimeMillis() + 10_000)));
    }

    @Test
    void claimsFromSeveralTurnsWithinTheWindowEachGetTheirOwnAnswer() throws Exception {
        RunClaims a = new RedisRunClaims(
                vertx,
                client,
                "a",
                new SimpleMeterRegistry(),
                java.time.Duration.ofMillis(20),
                java.time.Duration.ofSeconds(2));
        String event = UUID.randomUUID().toString();
        List<Promise<RunClaims.Claim>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Promise<RunClaims.Claim> p = Promise.promise();
            answers.add(p);
            int n = i % 4; // the fifth repeats the first run: a duplicate within the same batch
            loop.runOnContext(
                    v -> a.claim("r", event + "-" + n, "w", AT_MOST_ONCE, 1000, System.currentTimeMillis() + 10_000)
                            .onComplete(p));
        }
        List<RunClaims.Claim> got = new ArrayList<>();
        for (Promise<RunClaims.Claim> p : answers) {
            got.add(p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        }
        assertEquals(
                List.of(
                        RunClaims.Claim.CLAIMED,
                        RunClaims.Claim.CLAIMED,
                        RunClaims.Claim.CLAIMED,
                        RunClaims.Claim.CLAIMED,
                        RunClaims.Claim.DUPLICATE),
                got);
    }

    @Test
    void aClaimLivesAsLongAsItsEventAndNoLonger() throws Exception {
        RunClaims a = owner("a");
        String event = UUID.randomUUID().toString();
        assertEquals(
                RunClaims.Claim.CLAIMED,
                onLoop(() -> a.claim("r", event, "w", AT_MOST_ONCE, 1000, System.currentTimeMillis() + 5_000)));
        long ttl = onLoop(() -> client.send(Request.cmd(Command.PTTL).arg(RunClaims.key("r", event, "w"))))
                .toLong();
        assertTrue(ttl > 0 && ttl <= 5_000, "expires with the event: " + ttl + " ms");
        assertTrue(onLoop(() -> client.send(Request.cmd(Command.GET).arg(RunClaims.key("r", event, "w"))))
                .toString()
                .startsWith("sent|a|"));
    }

    @Test
    void aLapsedLeaseIsTakenOverAsAResendAndALiveOneIsWaitedForUntilItsRunIsDone() throws Exception {
        RunClaims a = owner("a");
        RunClaims b = owner("b");
        RunClaims c = owner("c");
        String event = UUID.randomUUID().toString();
        long deadline = System.currentTimeMillis() + 20_000;
        assertEquals(RunClaims.Claim.CLAIMED, onLoop(() -> a.claim("r", event, "w", AT_LEAST_ONCE, 300, deadline)));
        // a dies without marking the run done: once its 300 ms lease lapses, b takes the run over as the second send.
        long before = System.currentTimeMillis();
        RunClaims.Claim taken = onLoop(() -> b.claim("r", event, "w", AT_LEAST_ONCE, 5_000, deadline));
        assertEquals(new RunClaims.Claim(RunClaims.State.RESEND, 2), taken);
        assertTrue(System.currentTimeMillis() - before >= 200, "b waited for a's live lease to lapse");
        assertEquals(false, onLoop(() -> a.renew("r", event, "w", 5_000, deadline)), "a's lease is gone");
        assertEquals(true, onLoop(() -> b.renew("r", event, "w", 5_000, deadline)));

        // c meets b's live lease and waits; b finishes and marks the run done; c then skips it.
        Promise<RunClaims.Claim> cAnswer = Promise.promise();
        loop.runOnContext(
                v -> c.claim("r", event, "w", AT_LEAST_ONCE, 5_000, deadline).onComplete(cAnswer));
        org.awaitility.Awaitility.await()
                .during(java.time.Duration.ofMillis(300))
                .atMost(java.time.Duration.ofSeconds(2))
                .until(() -> !cAnswer.future().isComplete());
        onLoop(() -> b.done("r", event, "w", deadline));
        assertEquals(
                RunClaims.Claim.DUPLICATE,
                cAnswer.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aLiveLeaseStillHeldAtTheDeadlineIsLeftToItsOwner() throws Exception {
        RunClaims a = owner("a");
        RunClaims b = owner("b");
        String event = UUID.randomUUID().toString();
        assertEquals(
                RunClaims.Claim.CLAIMED,
                onLoop(() -> a.claim("r", event, "w", AT_LEAST_ONCE, 10_000, System.currentTimeMillis() + 20_000)));
        assertEquals(
                RunClaims.Claim.HELD,
                onLoop(() -> b.claim("r", event, "w", AT_LEAST_ONCE, 10_000, System.currentTimeMillis() + 300)));
    }

    @Test
    void withoutRedisARunGoesAheadUnclaimedAndIsCounted() throws Exception {
        var registry = new SimpleMeterRegistry();
        io.vertx.redis.client.Redis down = io.vertx.redis.client.Redis.createClient(
                vertx,
                new RedisOptions().setConnectionString("redis://127.0.0.1:" + dev.sluice.testkit.Ports.freePort()));
        RunClaims a = new RedisRunClaims(vertx, down, "a", registry);
        assertEquals(
                RunClaims.Claim.UNAVAILABLE,
                onLoop(() -> a.claim(
                        "r",
                        UUID.randomUUID().toString(),
                        "w",
                        AT_LEAST_ONCE,
                        1000,
                        System.currentTimeMillis() + 5_000)));
        assertEquals(
                1.0,
                registry.get("sluice.executor.claims.unavailable").counter().count());
        // At-most-once never runs unclaimed: it asks again until its deadline, then gives up.
        long deadline = System.currentTimeMillis() + 600;
        assertEquals(
                RunClaims.Claim.UNREACHABLE,
                onLoop(() -> a.claim("r", UUID.randomUUID().toString(), "w", AT_MOST_ONCE, 1000, deadline)));
        assertTrue(System.currentTimeMillis() >= deadline - 50, "asked until the deadline");
    }
}
