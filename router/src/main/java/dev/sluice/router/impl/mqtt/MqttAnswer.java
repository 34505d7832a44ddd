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
 * @param session  the connection the publish came on
 * @param packetId the publish's packet id
 * @param qos      its QoS
 */
record MqttAnswer(MqttSession session, int packetId, int qos) implements Answer {

    @Override
    public void outcomes(List<Outcome> outcomes, boolean batch) {
        Outcome o = outcomes.get(0);
        if (o.ok()) {
            session.stored(packetId, qos);
        } else {
            session.refused(packetId, qos, o.problem(), o.detail());
        }
    }

    @Override
    public void refused(Problems.Kind kind, String detail, Map<String, String> headers) {
        session.refused(packetId, qos, kind, detail);
    }

    @Override
    public boolean gone() {
        return !session.connected();
    }
}
