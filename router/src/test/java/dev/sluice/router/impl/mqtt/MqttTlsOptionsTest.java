package dev.sluice.router.impl.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import dev.sluice.router.RouterConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttServerOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The MQTT TLS port asks for client certificates as {@code router.mqtt.tls.client.auth} says, trusting the CAs of the trust bundle. */
class MqttTlsOptionsTest {

    private static RouterConfig config(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(Map.of(
                "router.mqtt.enabled",
                "true",
                "router.mqtt.tls.port",
                "8883",
                "router.tls.cert",
                "router.pem",
                "router.tls.key",
                "router.key"));
        s.putAll(extra);
        return RouterConfig.from(Settings.of(s));
    }

    @Test
    void requiredAndRequestedClientCertificatesTrustTheConfiguredBundle() {
        MqttServerOptions required = MqttVerticle.options(
                config(Map.of("router.mqtt.tls.client.auth", "required", "router.mqtt.tls.trust", "devices-ca.pem")),
                true);
        assertTrue(required.isSsl());
        assertEquals(ClientAuth.REQUIRED, required.getClientAuth());
        assertEquals(List.of("devices-ca.pem"), ((PemTrustOptions) required.getTrustOptions()).getCertPaths());
        MqttServerOptions requested = MqttVerticle.options(
                config(Map.of("router.mqtt.tls.client.auth", "Request", "router.mqtt.tls.trust", "devices-ca.pem")),
                true);
        assertEquals(ClientAuth.REQUEST, requested.getClientAuth());
    }

    @Test
    void byDefaultNoCertificateIsAskedForAndThePlainPortNeverAsks() {
        assertEquals(
                ClientAuth.NONE, MqttVerticle.options(config(Map.of()), true).getClientAuth());
        MqttServerOptions plain = MqttVerticle.options(
                config(Map.of("router.mqtt.tls.client.auth", "required", "router.mqtt.tls.trust", "devices-ca.pem")),
                false);
        assertFalse(plain.isSsl());
        assertEquals(ClientAuth.NONE, plain.getClientAuth());
    }

    @Test
    void aBadModeOrAModeWithoutTrustBundleIsRefusedNamingTheSetting() {
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class, () -> config(Map.of("router.mqtt.tls.client.auth", "sometimes")));
        assertTrue(bad.getMessage().contains("router.mqtt.tls.client.auth"), bad.getMessage());
        IllegalArgumentException noTrust = assertThrows(
                IllegalArgumentException.class, () -> config(Map.of("router.mqtt.tls.client.auth", "required")));
        assertTrue(noTrust.getMessage().contains("router.mqtt.tls.trust"), noTrust.getMessage());
    }
}
