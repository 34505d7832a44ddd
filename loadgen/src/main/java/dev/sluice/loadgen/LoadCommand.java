package dev.sluice.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** {@code run} and {@code gate}: set up the generator and the target, run, report. */
public final class LoadCommand {

    /** How long {@code --self} waits for {@code sluice dev}, a first build included. */
    private static final Duration SELF_START = Duration.ofMinutes(5);

    private LoadCommand() {}

    /** {@code run}: one run, or a knee search. Returns the process exit code. */
    public static int run(RunOptions o, PrintStream out) {
        return withTarget(o, out, (g, t, opts) -> {
            if (opts.findKnee()) {
                KneeFinder.find(g, t, opts, out);
            } else {
                runOnce(g, t, opts, out);
            }
            return 0;
        });
    }

    /** {@code gate}: an end-to-end run judged by {@link BudgetGate}; 0 when it passes, 1 when it fails. */
    public static int gate(RunOptions o, PrintStream out) {
        return withTarget(
                o.withE2e(true), out, (g, t, opts) -> gate(g, t, opts, out).pass() ? 0 : 1);
    }

    /** One run against a target: report written to {@code o.out()}, text summary printed. */
    public static Generator.RunResult runOnce(Generator g, Target t, RunOptions o, PrintStream out) {
        Generator.RunResult r = g.run(o, t);
        Reports.write(r, o.out());
        out.print(Reports.text(r.summary()));
        out.println("report: " + o.out().resolve("report.html"));
        return r;
    }

    /** One gated run: the verdict is printed and written to {@code verdict.txt}. */
    public static BudgetGate.Verdict gate(Generator g, Target t, RunOptions o, PrintStream out) {
        Generator.RunResult r = runOnce(g, t, o, out);
        BudgetGate.Verdict v = BudgetGate.evaluate(r.summary());
        out.println("gate: " + v);
        try {
            Files.writeString(o.out().resolve("verdict.txt"), v + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return v;
    }

    /** At most this many 10 s chunks after the priming ramp, while the JIT compilers are still busy. */
    private static final int MAX_PRIMING_CHUNKS = 12;
    /** Compiler CPU in a 10 s chunk under which the Sluice JVMs count as compiled (5% of one core). */
    private static final double COMPILED_BELOW_SECONDS = 0.5;

    /**
     * Primes a fresh stack, unmeasured: a ramp to the rate over {@code --self-warmup}, then 10 s
     * chunks at the rate for as long as the Sluice JVMs' JIT compiler threads keep working (on two
     * cores a JVM is still compiling its hot paths a minute in, and what it compiles competes with
     * what is measured).
     */
    private static void prime(Generator g, Target t, RunOptions opts, PrintStream out) {
        RunOptions ramp = opts.priming(opts.selfWarmup());
        out.println("priming the fresh stack, not measured: " + ramp.schedule());
        Generator.RunResult r = g.run(ramp, t);
        out.printf(
                java.util.Locale.ROOT,
                "primed: %d sent, %d acked, %d errors%n",
                r.summary().counts().sent(),
                r.summary().counts().acked(),
                r.summary().counts().errors());
        RunOptions chunk = opts.priming(Duration.ZERO);
        for (int i = 0; i < MAX_PRIMING_CHUNKS; i++) {
            double before = ProcessCpu.compilerSeconds(t.profiledJvms());
            g.run(chunk, t);
            double compiled = ProcessCpu.compilerSeconds(t.profiledJvms()) - before;
            out.printf(java.util.Locale.ROOT, "priming: JIT compilers used %.2f s of CPU in the last 10 s%n", compiled);
            if (compiled < COMPILED_BELOW_SECONDS) {
                return;
            }
        }
        out.println("priming: the JIT compilers are still busy; measuring anyway");
    }

    private interface Body {
        int apply(Generator g, Target t, RunOptions o);
    }

    private static int withTarget(RunOptions o, PrintStream out, Body body) {
        mkdirs(o.out());
        try (Generator g = Generator.start(o.loops(), o.receiverPort())) {
            Target t;
            RunOptions opts = o;
            if (o.self()) {
                String javaOpts = o.childJavaOpts();
                if (o.jfr()) {
                    // From the child's start, not attached mid-run: enabling JFR's I/O events in a running JVM
                    // re-instruments JDK classes and sets off a burst of recompilation inside the measured window.
                    Path jfrDir = mkdirs(o.out().toAbsolutePath().resolve("jfr"));
                    javaOpts = (javaOpts == null ? "" : javaOpts + " ")
                            + "-XX:StartFlightRecording=settings=default,dumponexit=true,filename=" + jfrDir + "/";
                }
                if (o.split()) {
                    out.println("starting Kafka" + (o.secure() ? ", Redis, PostgreSQL" : "") + ", "
                            + o.root().resolve("sluice") + " router" + (o.e2e() ? " and executor" : "") + " (logs in "
                            + o.out() + ") ...");
                    t = SplitStack.start(
                            o.root(),
                            g.receiverUrl(),
                            o.webhookH2(),
                            javaOpts,
                            o.out(),
                            SELF_START,
                            o.e2e(),
                            o.secure());
                } else {
                    out.println("starting " + o.root().resolve("sluice") + " dev (log: "
                            + o.out().resolve("sluice-dev.log")
                            + (o.direct()
                                    ? "); the generator produces the events to its broker itself, the router stays idle ..."
                                    : ") ..."));
                    SelfStack dev = SelfStack.start(
                            o.root(),
                            g.receiverUrl(),
                            o.webhookH2(),
                            javaOpts,
                            o.out().resolve("sluice-dev.log"),
                            SELF_START);
                    t = o.direct() ? dev.direct() : o.secure() ? dev.secure() : dev;
                }
                opts = o.withTarget(t.ingestUrl(), t.executorMetricsUrl());
                out.println("sluice is ready: " + t.ingestUrl());
                if (!o.selfWarmup().isZero()) {
                    prime(g, t, opts, out);
                }
            } else {
                t = Target.external(o.target(), o.executorMetrics());
                if (o.e2e()) {
                    out.println("end to end: the workflow must post to " + g.receiverUrl());
                }
            }
            try {
                return body.apply(g, t, opts);
            } finally {
                t.close();
            }
        }
    }

    private static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
