package dev.sluice.router.impl.mqtt;

import dev.sluice.router.impl.http.Answer;
import dev.sluice.router.impl.http.Outcome;
import dev.sluice.router.impl.http.Problems;
import java.util.List;
import java.util.Map;

/**
 * The Answer stage over MQTT for one publish: QoS 1 is a PUBACK, QoS 2 a PUBREC, once the outcome
 * is known; QoS 0 has no answer. A refusal is a PUBACK or PUBREC with its reason code on MQTT 5;
 * MQTT 3.1.1 has no negative acknowledgement, so the connection is closed and the client's session
 * sends the publish again (QoS 1 and 2 are at-least-once).
 *
 * <p>A publish is answered once. A fault caught after its record went to the producer is refused at
 * once (0x80), and the broker's ack that follows finds the answer {@link #gone()}, as an HTTP
 * response already sent is: a client never gets two answers for one packet id, nor a success after
 * a refusal. Event-loop confined.
 */
final class MqttAnswer implements Answer {

    /** Where the answer goes: the publish's connection. */
    interface Replies {
        void stored(MqttAnswer answer);

        void refused(MqttAnswer answer, Problems.Kind kind, String detail);

        boolean connected();

        /**
         * The answer failed half way (a fault while writing it): the client cannot be told, so the
         * connection ends and its session sends again what it has not heard about.
         */
        void abandon();
    }

    private final Replies session;
    private final int packetId;
    private final int qos;
    private boolean counted;
    private boolean answered;

    MqttAnswer(Replies session, int packetId, int qos) {
        this.session = session;
        this.packetId = packetId;
        this.qos = qos;
    }

    int packetId() {
        return packetId;
    }

    int qos() {
        return qos;
    }

    /** The publish now holds a place in its connection's in-flight window, given back by its answer. */
    void count() {
        counted = true;
    }

    /** Whether the publish holds a place in the in-flight window (QoS 1 and 2, once counted). */
    boolean counted() {
        return counted;
    }

    boolean answered() {
        return answered;
    }

    @Override
    public void outcomes(List<Outcome> outcomes, boolean batch) {
        if (answered) {
            return;
        }
        answered = true;
        Outcome o = outcomes.get(0);
        try {
            if (o.ok()) {
                session.stored(this);
            } else {
                session.refused(this, o.problem(), o.detail());
            }
        } catch (RuntimeException | StackOverflowError e) {
            if (qos > 0) {
                // QoS 0 expects no answer and is never resent, as a refusal of one ends nothing.
                session.abandon();
            }
            throw e; // for the pipeline's fault handling: counted and logged with a reference
        }
    }

    @Override
    public void refused(Problems.Kind kind, String detail, Map<String, String> headers) {
        if (answered) {
            return;
        }
        answered = true;
        session.refused(this, kind, detail);
    }

    @Override
    public boolean gone() {
        return answered || !session.connected();
    }
}
