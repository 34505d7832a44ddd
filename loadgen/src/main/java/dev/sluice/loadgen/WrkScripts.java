package dev.sluice.loadgen;

/**
 * The request bodies the driver sends: a wrk script that cycles through distinct events, or one
 * static body set once (the {@code --static} script, and the file h2load posts).
 */
final class WrkScripts {

    private WrkScripts() {}

    /** Distinct events the script prepares (cycled through): enough that no produce batch sees a body twice. */
    static final int DISTINCT_EVENTS = 100_000;

    /**
     * The wrk script. Each event is a JSON object of the asked size holding random hex digits, so
     * payloads do not compress (lz4 has no entropy coding), and no two events in reach of one
     * produce batch are alike; the bodies are built once per wrk thread and cycled through.
     */
    static String script(int payload, int batch) {
        int fill = Math.max(0, payload - "{\"v\":\"\"}".length());
        int bodies = Math.max(10, DISTINCT_EVENTS / batch);
        String type = batch == 1 ? "application/json" : "application/x-ndjson";
        return String.join(
                "\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"" + type + "\"",
                "local bodies = {}",
                "local count = " + bodies,
                "local hex = \"0123456789abcdef\"",
                "function init(args)",
                "  math.randomseed(os.time() + tonumber(tostring({}):match(\"0x(%x+)\") or \"0\", 16))",
                "  for i = 1, count do",
                "    local events = {}",
                "    for e = 1, " + batch + " do",
                "      local t = {}",
                "      for c = 1, " + fill + " do local r = math.random(16); t[c] = hex:sub(r, r) end",
                "      events[e] = '{\"v\":\"' .. table.concat(t) .. '\"}'",
                "    end",
                "    bodies[i] = table.concat(events, \"\\n\")" + (batch > 1 ? " .. \"\\n\"" : ""),
                "  end",
                "end",
                "local n = 0",
                "function request()",
                "  n = n % count + 1",
                "  return wrk.format(nil, nil, nil, bodies[n])",
                "end",
                "");
    }

    /**
     * The {@code --static} script: one body of the asked size, set once, so wrk formats the request
     * a single time and sends the same bytes on every request (no Lua call per request).
     */
    static String staticScript(int payload, int batch) {
        String type = batch == 1 ? "application/json" : "application/x-ndjson";
        String body = staticBody(payload, batch).replace("\"", "\\\"").replace("\n", "\\n");
        return String.join(
                "\n",
                "wrk.method = \"POST\"",
                "wrk.headers[\"Content-Type\"] = \"" + type + "\"",
                "wrk.body = \"" + body + "\"",
                "");
    }

    /** One event of the asked size (a JSON object of fixed pseudo-random hex digits), or a batch of it as NDJSON. */
    static String staticBody(int payload, int batch) {
        int fill = Math.max(0, payload - "{\"v\":\"\"}".length());
        StringBuilder event = new StringBuilder("{\"v\":\"");
        String hex = "0123456789abcdef";
        java.util.Random r = new java.util.Random(1);
        for (int c = 0; c < fill; c++) {
            event.append(hex.charAt(r.nextInt(16)));
        }
        event.append("\"}");
        return batch == 1 ? event.toString() : (event + "\n").repeat(batch);
    }
}
