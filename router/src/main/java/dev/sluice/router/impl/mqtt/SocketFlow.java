package dev.sluice.router.impl.mqtt;

import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;
import java.util.IdentityHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops and restarts reading a device's socket, so a publisher that outruns Kafka is held back by
 * TCP instead of buffered in the router. vertx-mqtt does not expose its endpoint's socket; it is
 * reached once by reflection, and where that fails (a future vertx-mqtt), flow control falls
 * back to MQTT 5's Receive Maximum alone, which is logged once. A socket is paused at most once
 * per reason and resumed when every reason is gone. Event-loop confined.
 */
final class SocketFlow {

    private static final Logger LOG = LoggerFactory.getLogger(SocketFlow.class);
    private static final Field CONN = connField();

    private final Map<MqttEndpoint, Integer> paused = new IdentityHashMap<>();

    private static Field connField() {
        try {
            Field f = Class.forName("io.vertx.mqtt.impl.MqttEndpointImpl").getDeclaredField("conn");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LoggerFactory.getLogger(SocketFlow.class)
                    .warn("MQTT sockets cannot be paused ({}); flow control rests on Receive Maximum", e.toString());
            return null;
        }
    }

    /** The endpoint's socket, or null where it cannot be reached. */
    static NetSocket socket(MqttEndpoint endpoint) {
        if (CONN == null) {
            return null;
        }
        try {
            return (NetSocket) CONN.get(endpoint);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("no socket for {}", endpoint, e);
            return null;
        }
    }

    /** One more reason to stop reading this endpoint. */
    void pause(MqttEndpoint endpoint) {
        int n = paused.merge(endpoint, 1, Integer::sum);
        if (n == 1) {
            NetSocket s = socket(endpoint);
            if (s != null) {
                s.pause();
            }
        }
    }

    /** One reason fewer; reading resumes when none is left. */
    void resume(MqttEndpoint endpoint) {
        Integer n = paused.get(endpoint);
        if (n == null) {
            return;
        }
        if (n > 1) {
            paused.put(endpoint, n - 1);
            return;
        }
        paused.remove(endpoint);
        NetSocket s = socket(endpoint);
        if (s != null) {
            s.resume();
        }
    }

    /** Whether reading this endpoint's socket can be stopped at all. */
    static boolean pausable() {
        return CONN != null;
    }

    boolean paused(MqttEndpoint endpoint) {
        return paused.containsKey(endpoint);
    }

    void forget(MqttEndpoint endpoint) {
        paused.remove(endpoint);
    }
}
