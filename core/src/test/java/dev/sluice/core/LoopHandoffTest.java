package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopHandoffTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void everyItemFromAnyThreadArrivesOnceOnTheEventLoopInItsThreadsOrder() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        Context context = vertx.getOrCreateContext();
        Thread[] loop = new Thread[1];
        CountDownLatch bound = new CountDownLatch(1);
        context.runOnContext(v -> {
            loop[0] = Thread.currentThread();
            bound.countDown();
        });
        assertTrue(bound.await(5, TimeUnit.SECONDS));
        int[] next = new int[threads];
        List<String> wrong = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(threads * perThread);
        // An item is thread * perThread + sequence; each thread's items must arrive once, in order.
        LoopHandoff<Integer> handoff = new LoopHandoff<>(context, item -> {
            if (Thread.currentThread() != loop[0]) {
                wrong.add(Thread.currentThread().getName());
            }
            int t = item / perThread;
            int seq = item % perThread;
            if (seq != next[t]) {
                wrong.add("thread " + t + ": got " + seq + ", expected " + next[t]);
            }
            next[t] = seq + 1;
            all.countDown();
        });
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    handoff.add(base + i);
                }
            });
            producers.add(th);
            th.start();
        }
        for (Thread th : producers) {
            th.join();
        }
        assertTrue(all.await(30, TimeUnit.SECONDS), "items still missing: " + all.getCount());
        CountDownLatch settled = new CountDownLatch(1);
        context.runOnContext(v -> settled.countDown());
        assertTrue(settled.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(), wrong.size() > 10 ? wrong.subList(0, 10) : wrong);
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, next[t]);
        }
    }

    @Test
    void anItemWhoseHandlingThrowsDoesNotHoldBackTheItemsBehindIt() throws Exception {
        Context context = vertx.getOrCreateContext();
        List<Integer> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch rest = new CountDownLatch(3);
        LoopHandoff<Integer> handoff = new LoopHandoff<>(context, item -> {
            if (item == 2) {
                throw new IllegalStateException("a bug in handling item 2");
            }
            handled.add(item);
            rest.countDown();
        });
        // One burst, queued before the loop can drain any of it, so all four go in one drain.
        CountDownLatch queued = new CountDownLatch(1);
        context.runOnContext(v -> {
            for (int i = 1; i <= 4; i++) {
                handoff.add(i);
            }
            queued.countDown();
        });
        assertTrue(queued.await(5, TimeUnit.SECONDS));
        assertTrue(rest.await(5, TimeUnit.SECONDS), "items after the failing one were left queued: " + handled);
        assertEquals(List.of(1, 3, 4), handled);
    }
}
