package dev.sluice.router.impl.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.router.impl.http.Outcome;
import dev.sluice.router.impl.http.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A publish gets one answer. The case this guards: a fault caught after the publish's record went
 * to the producer is answered 0x80 at once; the broker's ack that follows must not send a second
 * PUBACK (a success after a refusal), nor give the in-flight window its place back twice.
 */
class MqttAnswerTest {

    private final List<String> sent = new ArrayList<>();
    private boolean connected = true;

    private final MqttAnswer.Replies connection = new MqttAnswer.Replies() {
        @Override
        public void stored(MqttAnswer answer) {
            sent.add("stored " + answer.packetId());
        }

        @Override
        public void refused(MqttAnswer answer, Problems.Kind kind, String detail) {
            sent.add("refused " + answer.packetId() + " " + kind);
        }

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public void abandon() {
            sent.add("abandoned");
            connected = false;
        }
    };

    @Test
    void aRefusalForAFaultIsTheOnlyAnswerEvenWhenTheBrokerAcksAfterIt() {
        MqttAnswer a = new MqttAnswer(connection, 7, 1);
        a.count();
        assertFalse(a.gone());
        a.refused(Problems.Kind.INTERNAL, "the router failed (reference r)", Map.of());
        assertTrue(a.gone(), "answered: the ingest pipeline sees the sender as gone, as for an HTTP response sent");
        a.outcomes(List.of(Outcome.accepted("id-1", 0)), false);
        a.refused(Problems.Kind.PRODUCE_TIMEOUT, "late", Map.of());
        assertEquals(List.of("refused 7 INTERNAL"), sent);
    }

    @Test
    void aFaultWhileWritingTheAnswerEndsTheConnectionSoTheClientSendsAgain() {
        MqttAnswer.Replies broken = failingToStore("a bug in the PUBACK");
        MqttAnswer a = new MqttAnswer(broken, 11, 1);
        assertThrows(IllegalStateException.class, () -> a.outcomes(List.of(Outcome.accepted("id-3", 0)), false));
        a.refused(Problems.Kind.INTERNAL, "the router failed (reference r)", Map.of());
        assertEquals(List.of("abandoned"), sent, "no refusal after a success began, and the connection ends");
        assertTrue(a.gone());
    }

    @Test
    void aFaultWhileCountingAQos0PublishKeepsTheConnection() {
        MqttAnswer.Replies broken = failingToStore("a bug in the counting");
        MqttAnswer a = new MqttAnswer(broken, 0, 0);
        assertThrows(IllegalStateException.class, () -> a.outcomes(List.of(Outcome.accepted("id-4", 0)), false));
        assertEquals(List.of(), sent, "a QoS 0 client is owed no answer and would resend nothing: it stays connected");
        assertTrue(connected);
    }

    @Test
    void anOutcomeIsDeliveredOnceAndGoneFollowsTheConnection() {
        MqttAnswer a = new MqttAnswer(connection, 9, 1);
        a.outcomes(List.of(Outcome.accepted("id-2", 0)), false);
        a.outcomes(List.of(Outcome.refused(Problems.Kind.PRODUCE_FAILED, "again")), false);
        assertEquals(List.of("stored 9"), sent);

        MqttAnswer b = new MqttAnswer(connection, 10, 1);
        assertFalse(b.gone());
        connected = false;
        assertTrue(b.gone(), "not answered, but the connection is gone");
        assertFalse(b.counted(), "a publish holds an in-flight place only once counted");
    }

    /** A connection whose success answer throws {@code why}; a refusal is recorded, an abandon ends it. */
    private MqttAnswer.Replies failingToStore(String why) {
        return new MqttAnswer.Replies() {
            @Override
            public void stored(MqttAnswer answer) {
                throw new IllegalStateException(why);
            }

            @Override
            public void refused(MqttAnswer answer, Problems.Kind kind, String detail) {
                connection.refused(answer, kind, detail);
            }

            @Override
            public boolean connected() {
                return connected;
            }

            @Override
            public void abandon() {
                connection.abandon();
            }
        };
    }
}
