package dev.sluice.core.tracing;

import dev.sluice.core.ConfigException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's tracing: off (the default, {@link #off()}), or an OpenTelemetry instance whose spans
 * go to an OTLP collector ({@link #start}) or, in tests, wherever the caller's SDK sends them
 * ({@link #of}). Vert.x's own tracer (vertx-opentelemetry) is put on the process's Vert.x instance
 * by {@link #vertx}, so HTTP requests to the router become server spans; Sluice adds the spans
 * Vert.x cannot see (the produce, the run, each step). Off, nothing is built: the code on the event
 * path asks {@link #enabled()} and allocates nothing more than it did without tracing.
 */
public final class Tracing implements AutoCloseable {

    /** The instrumentation scope of Sluice's own spans. */
    public static final String SCOPE = "dev.sluice";

    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), false, () -> {});

    private final OpenTelemetry otel;
    private final boolean enabled;
    private final Runnable shutdown;
    private final Tracer tracer;

    private Tracing(OpenTelemetry otel, boolean enabled, Runnable shutdown) {
        this.otel = otel;
        this.enabled = enabled;
        this.shutdown = shutdown;
        this.tracer = otel.getTracer(SCOPE);
    }

    public static Tracing off() {
        return OFF;
    }

    /** Traces into {@code otel}, which the caller owns (and shuts down). */
    public static Tracing of(OpenTelemetry otel) {
        return new Tracing(otel, true, () -> {});
    }

    /** Off unless {@code otel.enabled}; on, an SDK exporting over OTLP/HTTP (protobuf) in batches. */
    public static Tracing start(TracingConfig config) {
        if (!config.enabled()) {
            return OFF;
        }
        OtlpHttpSpanExporterBuilder exporter;
        try {
            exporter = OtlpHttpSpanExporter.builder().setEndpoint(config.tracesUrl());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "setting otel.exporter.otlp.endpoint must be an http(s) URL, got '" + config.endpoint() + "'", e);
        }
        config.headers().forEach(exporter::addHeader);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault()
                        .merge(Resource.create(
                                Attributes.of(AttributeKey.stringKey("service.name"), config.serviceName()))))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.samplerRatio())))
                .addSpanProcessor(BatchSpanProcessor.builder(exporter.build())
                        .setScheduleDelay(config.exportDelay())
                        .build())
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        LOG.info(
                "tracing on: spans of {} go to {} (sampler ratio {})",
                config.serviceName(),
                config.tracesUrl(),
                config.samplerRatio());
        return new Tracing(
                sdk, true, () -> sdk.getSdkTracerProvider().shutdown().join(5, TimeUnit.SECONDS));
    }

    public boolean enabled() {
        return enabled;
    }

    public OpenTelemetry openTelemetry() {
        return otel;
    }

    /** The tracer of Sluice's own spans. */
    public Tracer tracer() {
        return tracer;
    }

    /** How trace context crosses a boundary (W3C {@code traceparent} and {@code tracestate}). */
    public TextMapPropagator propagator() {
        return otel.getPropagators().getTextMapPropagator();
    }

    /** A Vert.x instance with these options; on, with Vert.x's OpenTelemetry tracer on this instance. */
    public Vertx vertx(VertxOptions options) {
        if (!enabled) {
            return Vertx.vertx(options);
        }
        return Vertx.builder()
                .with(options)
                .withTracer(new OpenTelemetryTracingFactory(otel))
                .build();
    }

    /** Exports what is left and stops the SDK (blocking, bounded); a no-op when off or when the caller owns the SDK. */
    @Override
    public void close() {
        shutdown.run();
    }
}
