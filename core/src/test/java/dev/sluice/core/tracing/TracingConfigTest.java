package dev.sluice.core.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracingConfigTest {

    @Test
    void isOffByDefaultAndStartingItBuildsNothing() {
        TracingConfig c = TracingConfig.from(Settings.empty(), "sluice-router");
        assertFalse(c.enabled());
        assertEquals("http://localhost:4318/v1/traces", c.tracesUrl());
        assertEquals("sluice-router", c.serviceName());
        assertEquals(1.0, c.samplerRatio());
        assertEquals(Duration.ofSeconds(5), c.exportDelay());
        assertSame(Tracing.off(), Tracing.start(c), "off: the shared no-op, no SDK");
        assertFalse(Tracing.off().enabled());
    }

    @Test
    void readsOpenTelemetrysOwnSettingNames() {
        TracingConfig c = TracingConfig.from(
                Settings.of(Map.of(
                        "otel.enabled",
                        "true",
                        "otel.exporter.otlp.endpoint",
                        "http://collector:4318/",
                        "otel.exporter.otlp.headers",
                        "api-key=s3cret, x-team=ops",
                        "otel.service.name",
                        "edge-eu",
                        "otel.traces.sampler.arg",
                        "0.25",
                        "otel.bsp.schedule.delay",
                        "200ms")),
                "sluice-router");
        assertTrue(c.enabled());
        assertEquals("http://collector:4318/v1/traces", c.tracesUrl());
        assertEquals(Map.of("api-key", "s3cret", "x-team", "ops"), c.headers());
        assertEquals("edge-eu", c.serviceName());
        assertEquals(0.25, c.samplerRatio());
        assertEquals(Duration.ofMillis(200), c.exportDelay());
        assertFalse(c.toString().contains("s3cret"), "header values are not logged: " + c);
    }

    @Test
    void refusesARatioOutsideZeroToOneOrNotANumberNamingTheSetting() {
        ConfigException high = assertThrows(
                ConfigException.class,
                () -> TracingConfig.from(Settings.of(Map.of("otel.traces.sampler.arg", "1.5")), "s"));
        assertTrue(high.getMessage().contains("otel.traces.sampler.arg"), high.getMessage());
        ConfigException text = assertThrows(
                ConfigException.class,
                () -> TracingConfig.from(Settings.of(Map.of("otel.traces.sampler.arg", "half")), "s"));
        assertTrue(text.getMessage().contains("otel.traces.sampler.arg"), text.getMessage());
        assertThrows(
                ConfigException.class,
                () -> TracingConfig.from(Settings.of(Map.of("otel.traces.sampler.arg", "NaN")), "s"));
    }

    @Test
    void refusesHeadersThatAreNotKeyValuePairs() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> TracingConfig.from(Settings.of(Map.of("otel.exporter.otlp.headers", "just-a-token")), "s"));
        assertTrue(e.getMessage().contains("otel.exporter.otlp.headers"), e.getMessage());
    }

    @Test
    void anEndpointThatIsNotAnHttpUrlStopsTheStartNamingTheSetting() {
        TracingConfig c = TracingConfig.from(
                Settings.of(Map.of("otel.enabled", "true", "otel.exporter.otlp.endpoint", "collector:4318")), "s");
        ConfigException e = assertThrows(ConfigException.class, () -> Tracing.start(c));
        assertTrue(e.getMessage().contains("otel.exporter.otlp.endpoint"), e.getMessage());
    }

    @Test
    void startedItBuildsAnSdkThatStopsOnClose() {
        Tracing t = Tracing.start(TracingConfig.from(Settings.of(Map.of("otel.enabled", "true")), "sluice-executor"));
        assertTrue(t.enabled());
        assertTrue(t.tracer().spanBuilder("x").startSpan().getSpanContext().isValid(), "a real tracer, not the no-op");
        t.close();
        assertFalse(t.tracer().spanBuilder("y").startSpan().isRecording(), "closed: records nothing more");
    }
}
