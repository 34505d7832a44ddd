package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WrkRunTest {

    private static final String OUTPUT = String.join(
            "\n",
            "Running 20s test @ http://127.0.0.1:49461/v1/events/demo",
            "  1 threads and 512 connections",
            "  Thread Stats   Avg      Stdev     Max   +/- Stdev",
            "    Latency    19.70ms   11.27ms 165.46ms   83.74%",
            "    Req/Sec    21.03k     4.16k   35.59k    72.54%",
            "  Latency Distribution",
            "     50%  917.00us",
            "     75%   23.95ms",
            "     90%   30.67ms",
            "     99%    1.20s",
            "  418177 requests in 20.05s, 63.81MB read",
            "  Socket errors: connect 0, read 3, write 0, timeout 12",
            "  Non-2xx or 3xx responses: 7",
            "Requests/sec:  20852.01",
            "Transfer/sec:      3.18MB");

    @Test
    void parsesTotalsErrorsAndPercentilesInTheirUnits() {
        WrkResult r = WrkResult.parseWrk(OUTPUT);
        assertEquals(418_177, r.requests());
        assertEquals(20.05, r.seconds(), 1e-9);
        assertEquals(7, r.non2xx());
        assertEquals(15, r.socketErrors());
        assertEquals(0.917, r.latencyMillis().get("p50"), 1e-9);
        assertEquals(23.95, r.latencyMillis().get("p75"), 1e-9);
        assertEquals(1200.0, r.latencyMillis().get("p99"), 1e-9);
        assertEquals(418_177 / 20.05, r.perSecond(), 1e-6);
    }

    @Test
    void outputWithoutATotalIsAnError() {
        assertThrows(
                IllegalStateException.class,
                () -> WrkResult.parseWrk("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void theScriptPostsRandomEventsOfTheAskedSizeOrNdjsonBatches() {
        String single = WrkScripts.script(200, 1);
        assertTrue(single.contains("application/json"));
        assertTrue(single.contains("for c = 1, 192 do"), "192 random digits fill a 200-byte event");
        assertTrue(single.contains("local count = 100000"));
        String batch = WrkScripts.script(200, 100);
        assertTrue(batch.contains("application/x-ndjson"));
        assertTrue(batch.contains("for e = 1, 100 do"));
        assertTrue(batch.contains("local count = 1000"));
    }

    @Test
    void flagsAreCheckedAndDefaultToFiveHundredTwelveConnections() {
        WrkOptions o = WrkOptions.parse(List.of("--duration", "15s", "--batch", "100"));
        assertEquals(512, o.connections());
        assertEquals(15, o.duration().toSeconds());
        assertEquals(100, o.batch());
        assertThrows(IllegalArgumentException.class, () -> WrkOptions.parse(List.of("--rate", "5")));
        assertThrows(IllegalArgumentException.class, () -> WrkOptions.parse(List.of("--batch", "0")));
        assertThrows(IllegalArgumentException.class, () -> WrkOptions.parse(List.of("--connections")));
    }

    private static final String H2LOAD = String.join(
            "\n",
            "Application protocol: h2c",
            "finished in 20.01s, 55735.85 req/s, 5.80MB/s",
            "requests: 1114717 total, 1116765 started, 1114717 done, 1114710 succeeded, 7 failed, 3 errored, 2 timeout",
            "status codes: 1114700 2xx, 0 3xx, 10 4xx, 7 5xx",
            "traffic: 115.96MB (121594112) total, 3.19MB (3344919) headers (space savings 94.44%), 88.24MB (92521511) data",
            "                     min         max         mean         sd        +/- sd",
            "time for request:     5.43ms    147.58ms     35.61ms     13.62ms    71.10%",
            "time for connect:       96us      1.81ms       968us       509us    59.38%");

    @Test
    void parsesH2loadTotalsTheShareNotAnswered2xxAndItsRequestTimes() {
        WrkResult r = WrkResult.parseH2load(H2LOAD);
        assertEquals(1_114_717, r.requests());
        assertEquals(20.01, r.seconds(), 1e-9);
        assertEquals(17, r.non2xx());
        assertEquals(5, r.socketErrors());
        assertEquals(5.43, r.latencyMillis().get("min"), 1e-9);
        assertEquals(147.58, r.latencyMillis().get("max"), 1e-9);
        assertEquals(35.61, r.latencyMillis().get("mean"), 1e-9);
        assertThrows(IllegalStateException.class, () -> WrkResult.parseH2load("connect error"));
    }

    @Test
    void theStaticScriptSetsOneEscapedBodyOfTheAskedSize() {
        String body = WrkScripts.staticBody(200, 1);
        assertEquals(200, body.length());
        assertTrue(body.startsWith("{\"v\":\"") && body.endsWith("\"}"), body);
        String script = WrkScripts.staticScript(200, 1);
        assertTrue(script.contains("wrk.body = \"{\\\"v\\\":\\\""), script);
        assertTrue(!script.contains("function request"), "no Lua per request");
        String batch = WrkScripts.staticBody(200, 3);
        assertEquals(3, batch.split("\n", -1).length - 1, "three NDJSON lines, each ended");
    }

    @Test
    void h2loadRunsTakeStreamsAndHttp11AndTheirCommandSaysSo() {
        WrkOptions o = WrkOptions.parse(List.of("--driver", "h2load", "--connections", "32", "--streams", "64"));
        assertTrue(o.h2load() && o.fixedBody());
        List<String> cmd = WrkDriver.command(
                o,
                java.nio.file.Path.of("/tmp/x/post.lua"),
                "http://127.0.0.1:1/v1/events/demo",
                java.time.Duration.ofSeconds(20));
        assertEquals(
                List.of(
                        "h2load",
                        "-t1",
                        "-c32",
                        "-m64",
                        "-D20",
                        "-d",
                        "/tmp/x/body",
                        "-H",
                        "content-type: application/json",
                        "http://127.0.0.1:1/v1/events/demo"),
                cmd);
        assertTrue(WrkDriver.command(
                        WrkOptions.parse(List.of("--driver", "h2load", "--h1")),
                        java.nio.file.Path.of("p"),
                        "u",
                        java.time.Duration.ofSeconds(1))
                .contains("--h1"));
        assertThrows(IllegalArgumentException.class, () -> WrkOptions.parse(List.of("--streams", "8")));
        assertThrows(IllegalArgumentException.class, () -> WrkOptions.parse(List.of("--driver", "ab")));
    }
}
