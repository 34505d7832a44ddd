package dev.sluice.executor.impl.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisOptions;
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

    /** Until Redis has dropped the run's key: its lease ran out. */
    private static void awaitLapsed(String event) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> onLoop(() -> client.send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.EXISTS)
                        .arg(RunClaims.key("r", event, "w")))).toInteger() == 0);
    }

    private static RunClaims owner(String name) {
        return new RunClaims(client, name, new SimpleMeterRegistry());
    }

    @Test
    void manyClaimsInOneTurnEachGetTheirOwnAnswer() throws Exception {
        RunClaims a = owner("a");
        RunClaims b = owner("b");
        String event = UUID.randomUUID().toString();
        List<RunClaims.Claim> answers = onLoop(() -> {
            List<Future<RunClaims.Claim>> all = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                all.add(a.claim("r", event + "-" + i, "w", 10_000));
            }
            all.add(b.claim("r", event + "-7", "w", 10_000)); // the same run, in the same batch: already a's
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
        assertTrue(onLoop(() -> a.markSent("r", event + "-7", "w", 10_000)));
        assertFalse(onLoop(() -> b.markSent("r", event + "-7", "w", 10_000)), "b never held the claim");
        assertEquals(RunClaims.Claim.DUPLICATE, onLoop(() -> b.claim("r", event + "-7", "w", 10_000)), "sent runs stay taken");
    }

    @Test
    void aRunWhoseLeaseRanOutWhileWaitingIsStillOursIfNobodyTookIt() throws Exception {
        RunClaims a = owner("a");
        String event = UUID.randomUUID().toString();
        assertEquals(RunClaims.Claim.CLAIMED, onLoop(() -> a.claim("r", event, "w", 100))); // lease = the 100 ms left
        awaitLapsed(event);
        assertTrue(onLoop(() -> a.markSent("r", event, "w", 10_000)), "expired lease, nobody else: still ours to send");
    }

    @Test
    void aRunWhoseLeaseRanOutAndWasClaimedByAnotherIsTheirs() throws Exception {
        RunClaims a = owner("a");
        RunClaims b = owner("b");
        String event = UUID.randomUUID().toString();
        assertEquals(RunClaims.Claim.CLAIMED, onLoop(() -> a.claim("r", event, "w", 100)));
        awaitLapsed(event);
        assertEquals(RunClaims.Claim.CLAIMED, onLoop(() -> b.claim("r", event, "w", 10_000)));
        assertFalse(onLoop(() -> a.markSent("r", event, "w", 10_000)), "b owns it now: a must not send");
        assertTrue(onLoop(() -> b.markSent("r", event, "w", 10_000)));
    }
}
