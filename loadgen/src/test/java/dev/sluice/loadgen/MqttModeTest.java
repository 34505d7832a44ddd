package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sluice bench mqtt} and {@code --mqtt}: the flags, what they refuse, and how an MQTT run accounts for its events. */
class MqttModeTest {

    @Test
    void benchMqttIsARunOverMqttWithMqttsNamesForTargetAndPassword() {
        assertEquals(
                List.of("--mqtt", "tcp://10.0.0.2:1883", "--api-key", "sk_x", "--qos", "0", "--rate", "60000"),
                MqttLoad.runArgs(List.of(
                        "--target", "tcp://10.0.0.2:1883", "--password", "sk_x", "--qos", "0", "--rate", "60000")));
        assertEquals(
                List.of("--connections", "200", "--mqtt", MqttLoad.DEFAULT_BROKER),
                MqttLoad.runArgs(List.of("--connections", "200")));
        assertEquals(List.of("--self", "--mqtt", "self"), MqttLoad.runArgs(List.of("--self")));
        assertEquals(List.of("--mqtt", "tcp://h:1"), MqttLoad.runArgs(List.of("--target=tcp://h:1")));
        RunOptions o = RunOptions.parse(
                MqttLoad.runArgs(List.of("--target", "tcp://10.0.0.2:1883", "--qos", "0", "--loops", "4")));
        assertEquals("mqtt 3.1.1 qos 0", o.describe().get("protocol"));
        assertEquals("tcp://10.0.0.2:1883", o.describe().get("target"));
        assertEquals(4, o.loops());
        assertThrows(IllegalArgumentException.class, () -> MqttLoad.runArgs(List.of("--password")));
    }

    @Test
    void whatAnMqttRunCannotDoIsRefusedNamingTheFlag() {
        assertMessage("--qos and --random-pad go with --mqtt", "--qos", "0");
        assertMessage("--qos and --random-pad go with --mqtt", "--random-pad");
        assertMessage("--mqtt takes tcp://host:port", "--mqtt", "http://h:1");
        assertMessage("--mqtt takes tcp://host:port", "--mqtt", "self");
        assertMessage("--mqtt takes tcp://host:port", "--mqtt", "tcp://h:1", "--self");
        assertMessage("--qos must be 0 or 1", "--mqtt", "tcp://h:1", "--qos", "2");
        assertMessage("needs --qos 1", "--mqtt", "tcp://h:1", "--qos", "0", "--e2e");
        assertMessage("leave out --batch", "--mqtt", "tcp://h:1", "--batch", "10");
        assertMessage("leave out --batch", "--mqtt", "tcp://h:1", "--raw-h2");
    }

    @Test
    void randomPadIsRecordedInTheSummarysSettings() {
        RunOptions o = RunOptions.parse(List.of("--mqtt", "tcp://h:1", "--qos", "0", "--random-pad"));
        assertTrue(o.randomPad());
        assertEquals("random hex padding per publish", o.describe().get("payload"));
        assertEquals(
                null,
                RunOptions.parse(List.of("--mqtt", "tcp://h:1")).describe().get("payload"));
    }

    private static void assertMessage(String part, String... args) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of(args)));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    /** MQTT 3.1.1 publishes carry no id: arrivals are matched to PUBACKs by number, and a surplus is what arrived unacknowledged. */
    @Test
    void anMqttRunAccountsByCountNotById() {
        Receiver.Tally t = new Receiver.Tally();
        for (String id : List.of(
                "018f0000-0000-7000-8000-000000000001",
                "018f0000-0000-7000-8000-000000000002",
                "018f0000-0000-7000-8000-000000000003")) {
            t.arrived.add(Ids.of(id));
        }
        Prometheus.Counters none = new Prometheus.Counters(0, 0, 0);
        RunSummary.Accounting all = Generator.account(new IdSet(), List.of(t), 3, none, true, 0, true);
        assertEquals(3, all.executed());
        assertEquals(0, all.unaccounted());
        RunSummary.Accounting missing = Generator.account(new IdSet(), List.of(t), 5, none, true, 0, true);
        assertEquals(3, missing.executed());
        assertEquals(2, missing.unaccounted(), "two acknowledged publishes never ran");
        RunSummary.Accounting surplus = Generator.account(new IdSet(), List.of(t), 2, none, true, 0, true);
        assertEquals(2, surplus.executed());
        assertEquals(1, surplus.arrivedUnacked());
        assertEquals(
                0,
                Generator.account(new IdSet(), List.of(t), 3, none, false, 0, true)
                        .executed(),
                "by id, none of these was acknowledged");
    }
}
