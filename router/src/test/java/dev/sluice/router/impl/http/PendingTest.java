package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A submission's answer, given on a broker's ack: a fault while writing it still reaches the sender. */
class PendingTest {

    private static final RouteConfig ROUTE = TestRoutes.PLAIN;

    /** A transport whose write of the outcomes fails, as a bug in it would. */
    private static final class BrokenAnswer implements Answer {
        final List<String> refusals = new ArrayList<>();
        int outcomeCalls;

        @Override
        public void outcomes(List<Outcome> outcomes, boolean batch) {
            outcomeCalls++;
            throw new IllegalStateException("a bug in the answer");
        }

        @Override
        public void refused(Problems.Kind kind, String detail, Map<String, String> headers) {
            refusals.add(kind.name() + ": " + detail);
        }

        @Override
        public boolean gone() {
            return false;
        }
    }

    @Test
    void aFaultWhileAnsweringOnTheAckIsRefusedWithAReferenceCountedAndTheSubmissionStillSettles() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouterMetrics.RouteMeters meters = new RouterMetrics(registry, List.of("r")).route("r");
        BrokenAnswer answer = new BrokenAnswer();
        Submission sub = new Submission(
                ROUTE, meters, false, null, null, h -> null, null, null, Context.root(), answer, Map.of());
        Pending p = new Pending(sub, 1, System.nanoTime());
        int[] settled = {0};
        p.onSettled = x -> settled[0]++;
        p.sent(0, "id-1", System.currentTimeMillis() + 15_000, 10);
        p.landed(0, true);
        p.accept(0);

        p.answer(); // must not throw: it runs in the loop's ack hand-off, which serves every other request

        assertEquals(1, answer.outcomeCalls);
        assertEquals(1, answer.refusals.size(), "the sender hears once: " + answer.refusals);
        String refusal = answer.refusals.get(0);
        assertTrue(refusal.startsWith("INTERNAL: "), refusal);
        assertTrue(refusal.matches(".*reference [0-9a-f-]{36}.*"), refusal);
        assertTrue(refusal.contains("may have been stored"), "the event is in Kafka: " + refusal);
        assertEquals(1.0, TestHttp.internalErrors(registry));
        assertEquals(1, settled[0], "settled, so nothing waits on it");
        p.answer();
        assertEquals(1, answer.outcomeCalls, "answered once");
    }
}
