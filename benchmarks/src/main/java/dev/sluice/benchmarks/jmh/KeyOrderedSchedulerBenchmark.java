package dev.sluice.benchmarks.jmh;

import dev.sluice.executor.impl.schedule.KeyOrderedScheduler;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The executor's per-partition scheduler, on a real Vert.x event loop as in production: one
 * invocation submits {@code tasks} tasks over {@code keys} keys (round robin), then completes
 * every running task in turn; each completion starts the next task of its key, until all have
 * run. The figure is per batch, including one hop from the JMH thread onto the event loop and back
 * (a few µs), so divide by {@code tasks} for a per-task cost of large batches.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class KeyOrderedSchedulerBenchmark extends NanoBenchmark {

    @Param({"1000"})
    public int tasks;

    @Param({"1", "16", "1000"})
    public int keys;

    private Vertx vertx;
    private Context context;
    private byte[][] keyBytes;

    @Setup(Level.Trial)
    public void setUp() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        context = vertx.getOrCreateContext();
        keyBytes = new byte[keys][];
        for (int k = 0; k < keys; k++) {
            keyBytes[k] = ("device-" + k).getBytes(StandardCharsets.UTF_8);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public void submitAndComplete(Blackhole bh) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        context.runOnContext(v -> done.complete(batch()));
        bh.consume(done.get(10, TimeUnit.SECONDS));
    }

    /** On the event loop: submit everything, then complete running tasks until none is left. */
    private int batch() {
        KeyOrderedScheduler scheduler = new KeyOrderedScheduler();
        List<Promise<Void>> running = new ArrayList<>(tasks);
        int[] ran = {0};
        for (int i = 0; i < tasks; i++) {
            scheduler.submit(keyBytes[i % keys], () -> {
                ran[0]++;
                Promise<Void> p = Promise.promise();
                running.add(p);
                return p.future();
            });
        }
        for (int i = 0; i < running.size(); i++) {
            running.get(i).complete();
        }
        if (scheduler.activeKeys() != 0 || ran[0] != tasks) {
            throw new IllegalStateException("scheduler left " + scheduler.activeKeys() + " keys active, ran " + ran[0]);
        }
        return ran[0];
    }
}
