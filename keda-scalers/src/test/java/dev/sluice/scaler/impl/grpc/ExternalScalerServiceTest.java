package dev.sluice.scaler.impl.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.impl.grpc.proto.MetricSpec;
import dev.sluice.scaler.impl.grpc.proto.MetricValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExternalScalerServiceTest {

    private final ScalerMetadata md =
            ScalerMetadata.parse(Map.of("topic", "orders", "group", "g", "replicaRate", "250.5"), "b");

    @Test
    void metricSpecTargetsOneReplicasRateInBothFields() {
        MetricSpec spec = ExternalScalerService.metricSpec(md).getMetricSpecs(0);
        assertEquals("sluice-required-rate-orders", spec.getMetricName());
        assertEquals(250.5, spec.getTargetSizeFloat());
        assertEquals(251, spec.getTargetSize());
    }

    @Test
    void metricValueIsTheReportedRateRoundedUpForTheIntegerField() {
        Evaluation e = new Evaluation(md, 0, 4, 2, 1, 0, 0, 0, 0, 0.5, 0.5, 1, true);
        MetricValue v =
                ExternalScalerService.metrics("sluice-required-rate-orders", e).getMetricValues(0);
        assertEquals("sluice-required-rate-orders", v.getMetricName());
        assertEquals(0.5, v.getMetricValueFloat());
        assertEquals(1, v.getMetricValue());
        // KEDA strips its sN- prefix before asking; an empty name gets the scaler's own
        assertEquals(
                "sluice-required-rate-orders",
                ExternalScalerService.metrics("", e).getMetricValues(0).getMetricName());
    }
}
