package dev.sluice.scaler.impl;

import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.ScalingMath;
import dev.sluice.scaler.impl.kafka.OffsetSnapshot;

/** Turns one offset snapshot and the rate history into an {@link Evaluation}. Pure. */
public final class Evaluator {

    private Evaluator() {}

    public static Evaluation evaluate(ScalerMetadata md, OffsetSnapshot s, RateHistory history) {
        int n = s.partitions();
        double[] partitionDrain = history.partitionDrainRates();
        long live = 0;
        long expired = 0;
        long atRisk = 0;
        for (int p = 0; p < n; p++) {
            long c = s.committed()[p];
            long end = s.end()[p];
            long firstLive = s.firstLive()[p];
            live += ScalingMath.liveBacklog(c, firstLive, end);
            expired += ScalingMath.expiredBacklog(c, firstLive, end);
            double d = partitionDrain == null ? Double.NaN : partitionDrain[p];
            atRisk += ScalingMath.atRisk(c, firstLive, s.firstYoung()[p], end, d, md.budget());
        }
        double lambda = history.arrivalRate();
        double drain = history.drainRate();
        double required = ScalingMath.requiredRate(lambda, live, md.budget());
        double reported = ScalingMath.reportedRate(required, md.replicaRate(), md.minReplicas(), md.maxReplicas(), n);
        int desired = ScalingMath.desiredReplicas(reported, md.replicaRate());
        return new Evaluation(
                md,
                s.takenAtMillis(),
                n,
                s.members(),
                live,
                expired,
                atRisk,
                lambda,
                drain,
                required,
                reported,
                desired,
                required > md.activationThreshold());
    }
}
