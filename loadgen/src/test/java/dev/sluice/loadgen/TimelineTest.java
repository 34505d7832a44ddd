package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void eachTickTellsTheProgressLineElapsedSentAckedP99SoFarAndErrors() {
        List<String> lines = new ArrayList<>();
        Timeline timeline =
                new Timeline(List.of(), List.of(), System.nanoTime(), System.currentTimeMillis(), lines::add);
        timeline.tick();
        timeline.tick();
        assertEquals(2, lines.size(), "one line per tick");
        for (String line : lines) {
            assertTrue(
                    line.matches("\\s*\\d+\\.\\d s  sent 0  acked 0  ack p99 so far \\(warming up\\)  errors 0"), line);
        }
        assertEquals(2, timeline.rows().size());
    }
}
