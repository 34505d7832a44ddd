package dev.sluice.executor.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.executor.impl.schedule.KeyOrderedScheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyOrderedSchedulerTest {

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sameKeyRunsOneAfterAnotherAndOtherKeysRunAtOnce() {
        KeyOrderedScheduler s = new KeyOrderedScheduler();
        List<String> started = new ArrayList<>();
        Map<String, Promise<Void>> running = new HashMap<>();
        for (String name : List.of("a1", "a2", "b1", "a3", "b2")) {
            s.submit(key(name.substring(0, 1)), () -> {
                started.add(name);
                Promise<Void> p = Promise.promise();
                running.put(name, p);
                return p.future();
            });
        }
        assertEquals(List.of("a1", "b1"), started, "one task per key runs; keys run side by side");
        assertEquals(3, s.queued());
        running.get("b1").complete();
        assertEquals(List.of("a1", "b1", "b2"), started);
        running.get("a1").fail("boom");
        assertEquals(List.of("a1", "b1", "b2", "a2"), started, "a failed task does not block its key");
        running.get("a2").complete();
        running.get("a3").complete();
        running.get("b2").complete();
        assertEquals(List.of("a1", "b1", "b2", "a2", "a3"), started);
        assertEquals(0, s.activeKeys());
        assertEquals(0, s.queued());
    }

    @Test
    void tasksWithoutAKeyAreNotOrdered() {
        KeyOrderedScheduler s = new KeyOrderedScheduler();
        List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            s.submit(null, () -> {
                started.add(n);
                return Promise.<Void>promise().future();
            });
        }
        assertEquals(List.of(0, 1, 2), started);
        assertEquals(0, s.activeKeys());
    }

    @Test
    void aTaskThatThrowsStillReleasesItsKey() {
        KeyOrderedScheduler s = new KeyOrderedScheduler();
        List<String> started = new ArrayList<>();
        s.submit(key("k"), () -> {
            throw new IllegalStateException("bad task");
        });
        s.submit(key("k"), () -> {
            started.add("second");
            return Future.succeededFuture();
        });
        assertEquals(List.of("second"), started);
        assertEquals(0, s.activeKeys());
    }
}
