package dev.sluice.router.impl.mqtt;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import java.util.Optional;

/**
 * What MQTT forbids in a CONNECT and the decoder lets through. The connection is refused before
 * anything else of it is looked at: MQTT 5 with CONNACK 0x82 Protocol Error naming the rule,
 * MQTT 3.1.1 (which has no such code) by closing it without a CONNACK, as its spec asks.
 *
 * <ul>
 *   <li>A will QoS of 3, or a will QoS or retain flag set without the will flag (MQTT 5
 *       §3.1.2.6–7, 3.1.1 §3.1.2.6–7).</li>
 *   <li>MQTT 5: a Receive Maximum or Maximum Packet Size of 0 (§3.1.2.11.3–4).</li>
 * </ul>
 */
final class ConnectChecks {

    private ConnectChecks() {}

    /** The rule {@code endpoint}'s CONNECT broke, if any. */
    static Optional<String> violation(MqttEndpoint endpoint, boolean v5) {
        MqttWill will = endpoint.will();
        if (will != null
                && (will.getWillQos() > 2 || !will.isWillFlag() && (will.getWillQos() != 0 || will.isWillRetain()))) {
            return Optional.of("the will's QoS and retain flags are malformed");
        }
        if (v5
                && (zero(endpoint, MqttProperties.RECEIVE_MAXIMUM)
                        || zero(endpoint, MqttProperties.MAXIMUM_PACKET_SIZE))) {
            return Optional.of("a Receive Maximum or Maximum Packet Size of 0");
        }
        return Optional.empty();
    }

    private static boolean zero(MqttEndpoint endpoint, int propertyId) {
        MqttProperties props = endpoint.connectProperties();
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(propertyId);
        return p != null && Integer.valueOf(0).equals(p.value());
    }
}
