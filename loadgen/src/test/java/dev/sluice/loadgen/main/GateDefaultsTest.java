package dev.sluice.loadgen.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.loadgen.RunOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateDefaultsTest {

    @Test
    void theGateStartsItsOwnStackEndToEndUnlessATargetIsNamed() {
        RunOptions bare = RunOptions.parse(BenchMain.gateArgs(List.of("--rate", "1000", "--duration", "15s")));
        assertTrue(bare.self(), "without --target the gate measures a stack whose workflow posts to its receiver");
        RunOptions targeted =
                RunOptions.parse(BenchMain.gateArgs(List.of("--target", "http://10.0.0.1:8080/v1/events/x")));
        assertFalse(targeted.self());
        assertEquals("http://10.0.0.1:8080/v1/events/x", targeted.target());
        assertEquals(List.of("--self", "--split"), BenchMain.gateArgs(List.of("--self", "--split")));
    }

    @Test
    void aGateOverMqttStartsItsOwnStackUnlessABrokerIsNamed() {
        RunOptions external = RunOptions.parse(BenchMain.gateArgs(List.of("--mqtt", "tcp://10.0.0.1:1883")));
        assertFalse(external.self(), "a broker of somebody else's is the target");
        assertEquals("tcp://10.0.0.1:1883", external.mqtt());
        RunOptions self = RunOptions.parse(BenchMain.gateArgs(List.of("--mqtt", "self")));
        assertTrue(self.self());
        assertEquals("self", self.mqtt());
    }
}
