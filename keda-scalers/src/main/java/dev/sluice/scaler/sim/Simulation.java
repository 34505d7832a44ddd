package dev.sluice.scaler.sim;

/**
 * Replays a trace through one scaler policy, KEDA and the HPA, in fixed time steps. Deterministic: the same
 * inputs give the same result.
 *
 * <p>Each step: arrivals join the queue; KEDA's activity checks (push, then poll) may scale between zero and one
 * replica; an HPA sync may set the replica count; a change in the number of ready consumers pauses the whole
 * group for the rebalance time, after which the consumers skip the expired head of their new partitions (the
 * executor's {@code skip.dead.spans} on assignment); then the ready consumers (at most one per partition) start
 * events, oldest first, reading past expired events at {@code expireCost} each.
 */
public final class Simulation {

    private final SimParams p;

    public Simulation(SimParams params) {
        this.p = params;
    }

    public RunResult run(Trace trace, ScalerPolicy policy, int minReplicaCount) {
        if (trace.stepMillis() != p.stepMillis()) {
            throw new IllegalArgumentException(
                    "trace step " + trace.stepMillis() + "ms != simulation step " + p.stepMillis() + "ms");
        }
        long step = p.stepMillis();
        double stepSeconds = step / 1000.0;
        int steps = (int) ((trace.durationMillis() + p.ttlMillis() + step) / step);
        int stepsPerSecond = (int) (1000 / step);
        int seconds = (steps + stepsPerSecond - 1) / stepsPerSecond;
        RunResult.Timeline tl = new RunResult.Timeline(
                new double[seconds], new double[seconds], new double[seconds], new int[seconds], new int[seconds]);

        FluidQueue queue = new FluidQueue(p.ttlMillis(), p.budgetMillis());
        Deployment deployment = new Deployment(p.podStartMillis(), p.podStartNewNodeMillis(), p.warmPodCapacity());
        deployment.warmStart(minReplicaCount);
        Hpa hpa = new Hpa(
                policy.behavior(),
                p.tolerance(),
                Math.max(1, minReplicaCount),
                Math.max(Math.max(1, minReplicaCount), p.maxReplicaCount()));
        Window arrivals = new Window((int) p.steps(p.rateWindowMillis()));
        Window started = new Window((int) p.steps(p.commitIntervalMillis()));

        long nextHpa = firstTick(p.hpaSyncMillis());
        KedaScaleLoop keda = new KedaScaleLoop(
                policy,
                minReplicaCount,
                p.cooldownMillis(),
                firstTick(policy.pollingMillis()),
                policy.pushMillis() > 0 ? firstTick(policy.pushMillis()) : 0);
        ConsumerGroup group = new ConsumerGroup(p.rebalancePauseMillis(), deployment.ready(0));
        double replicaSeconds = 0;
        int peak = deployment.replicas();

        for (int k = 0; k < steps; k++) {
            long now = k * step;
            double in = trace.arrivals(k);
            queue.arrive(now, in);
            arrivals.add(in);
            queue.age(now);
            Observation o = new Observation(
                    now,
                    queue.live(),
                    queue.expiredInTopic(),
                    started.sum() / 2,
                    arrivals.sum() / (p.rateWindowMillis() / 1000.0));

            keda.tick(now, o, deployment);
            if (now >= nextHpa) {
                nextHpa += p.hpaSyncMillis();
                int current = deployment.replicas();
                int desired = hpa.sync(now, current, policy.metric(o), policy.targetAverageValue());
                if (desired != current) {
                    deployment.scaleTo(desired, now);
                }
            }

            int ready = deployment.ready(now);
            int consuming = group.consuming(now, ready, queue);
            double capacity = Math.min(consuming, p.partitions()) * p.serviceRate() * stepSeconds;
            started.add(queue.serve(now, capacity, p.expireCost()));

            replicaSeconds += deployment.replicas() * stepSeconds;
            peak = Math.max(peak, deployment.replicas());
            int second = k / stepsPerSecond;
            tl.arrivals()[second] += in;
            if (k % stepsPerSecond == 0) {
                tl.live()[second] = queue.live();
                tl.expiredInTopic()[second] = queue.expiredInTopic();
                tl.replicas()[second] = deployment.replicas();
                tl.ready()[second] = ready;
            }
        }
        queue.finish();
        return new RunResult(
                policy.name(),
                minReplicaCount,
                queue.arrived(),
                queue.startedOnTime(),
                queue.startedLate(),
                queue.expired(),
                replicaSeconds,
                peak,
                tl);
    }

    /** A periodic controller's first tick: {@code phase} of its period after the trace starts, on a step. */
    private long firstTick(long period) {
        long t = Math.round(p.phase() * period);
        return t - t % p.stepMillis();
    }

    /** Sum of the last {@code size} values added. */
    private static final class Window {
        private final double[] values;
        private int next;
        private double sum;

        Window(int size) {
            values = new double[Math.max(1, size)];
        }

        void add(double v) {
            sum += v - values[next];
            values[next] = v;
            next = (next + 1) % values.length;
        }

        double sum() {
            return Math.max(0, sum);
        }
    }
}
