package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchModeTest {

    @Test
    void aBatchBodyHoldsOnePayloadPerLine() {
        byte[] body = RunPlan.ndjson("{\"a\":1}".getBytes(StandardCharsets.US_ASCII), 3);
        assertEquals("{\"a\":1}\n{\"a\":1}\n{\"a\":1}\n", new String(body, StandardCharsets.US_ASCII));
    }

    @Test
    void everyIdOfABatchAnswerIsCollected() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        String body = "{\"accepted\":2,\"rejected\":0,\"results\":[{\"index\":0,\"status\":202,\"id\":\"" + a
                + "\",\"deadline\":\"x\"},{\"index\":1,\"status\":202,\"id\":\"" + b + "\"}]}";
        IdSet ids = new IdSet();
        Ids.allFromAck(Buffer.buffer(body), ids);
        assertEquals(2, ids.size());
        assertTrue(ids.contains(a) && ids.contains(b));
    }

    @Test
    void batchSizeIsBounded() {
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--rate", "10", "--batch", "0")));
        assertThrows(
                IllegalArgumentException.class, () -> RunOptions.parse(List.of("--rate", "10", "--batch", "1001")));
        assertEquals(
                100, RunOptions.parse(List.of("--rate", "10", "--batch", "100")).batch());
    }
}
