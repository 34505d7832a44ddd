package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsATablePerTraceAndWritesPlotAndTimelines() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SimulateCommand.run(
                new String[] {
                    "--trace",
                    "steady",
                    "--duration",
                    "60s",
                    "--out",
                    dir.toString(),
                    "--csv",
                    "--policies",
                    "stock,deadline"
                },
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("trace steady"), text);
        assertEquals(
                4,
                text.lines()
                        .filter(l -> l.startsWith("stock kafka ") || l.startsWith("deadline-aware "))
                        .count(),
                text);
        String svg = Files.readString(dir.resolve("steady.svg"));
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
        assertEquals(
                1 + 4 + 4,
                svg.split("<polyline", -1).length - 1,
                "one arrivals line, then backlog and replicas per run");
        assertTrue(Files.readAllLines(dir.resolve("steady.csv"))
                .get(0)
                .startsWith("second,arrivals,stock_kafka_min0_live"));
    }

    @Test
    void rejectsUnknownOptionsAndTraces() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, SimulateCommand.run(new String[] {"--bogus", "1"}, o, e));
        assertEquals(2, SimulateCommand.run(new String[] {"--trace", "nope", "--out", dir.toString()}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option: --bogus"));
    }
}
