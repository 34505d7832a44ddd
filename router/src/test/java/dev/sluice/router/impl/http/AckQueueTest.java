package dev.sluice.router.impl.http;

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

class AckQueueTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    @Test
    void everyAckFromAnyThreadArrivesOnceOnTheEventLoop() throws Exception {
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
        Pending[] requests = new Pending[threads];
        for (int t = 0; t < threads; t++) {
            requests[t] = new Pending(null, null, true, perThread, 0);
        }
        int[] seen = new int[threads];
        List<String> wrong = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(threads * perThread);
        AckQueue acks = new AckQueue(context, (p, index, err) -> {
            if (Thread.currentThread() != loop[0]) {
                wrong.add(Thread.currentThread().getName());
            }
            for (int t = 0; t < threads; t++) {
                if (p == requests[t]) {
                    if (p.resolved[index]) {
                        wrong.add("twice: " + t + "/" + index);
                    }
                    p.accept(index);
                    seen[t]++;
                }
            }
            all.countDown();
        });
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Pending p = requests[t];
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    acks.add(p, i, null);
                }
            });
            producers.add(th);
            th.start();
        }
        for (Thread th : producers) {
            th.join();
        }
        assertTrue(all.await(30, TimeUnit.SECONDS), "acks still missing: " + all.getCount());
        CountDownLatch settled = new CountDownLatch(1);
        context.runOnContext(v -> settled.countDown());
        assertTrue(settled.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(), wrong);
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, seen[t]);
            assertEquals(0, requests[t].outstanding);
        }
    }
}
