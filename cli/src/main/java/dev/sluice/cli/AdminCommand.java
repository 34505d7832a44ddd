package dev.sluice.cli;

import dev.sluice.core.Settings;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * {@code sluice admin ...}: the router's admin API over HTTP ({@code SLUICE_ADMIN_URL}, default the
 * local management port; the key from {@code SLUICE_ROUTER_ADMIN_KEY}). Prints the JSON answer;
 * exits 1 with the problem's detail when the router refuses.
 */
final class AdminCommand {

    static final String USAGE = String.join(
            "\n",
            "usage: sluice admin <what> <action> ...   (SLUICE_ADMIN_URL, SLUICE_ROUTER_ADMIN_KEY)",
            "  tenants create <id> [--name <name>] [--events <per s>] [--bytes <per s>]",
            "  tenants list",
            "  tenants revoke <id>",
            "  keys create <tenant> [--name <name>]     prints the key once",
            "  keys list <tenant>",
            "  keys revoke <key-id>",
            "  sources put <source> <file.json | ->   a catalog route without \"source\" (auth defaults to key)",
            "  sources list | get <source> | delete <source>",
            "  workflows put <name> <file.json | ->    a catalog workflow (its sources must be routed); executors reload it",
            "  workflows list | get <name> | delete <name>",
            "  workflows validate <file.json | -> [--event <event.json>]   check a definition (with \"name\"); with a sample",
            "                                          CloudEvent (attributes, payload in data) show each step's request; sends nothing");

    /** One HTTP call to make. */
    record Call(String method, String path, String body) {}

    /** A command line that does not name a known call. */
    static final class Usage extends Exception {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    private AdminCommand() {}

    static int run(Settings settings, String[] args) throws Exception {
        Call call;
        try {
            call = parse(args);
        } catch (Usage u) {
            System.err.println(u.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        String base = settings.get("admin.url", "http://127.0.0.1:" + settings.getInt("router.management.port", 8081));
        String key = settings.get("router.admin.key", null);
        if (key == null) {
            System.err.println("sluice admin: set SLUICE_ROUTER_ADMIN_KEY to the router's admin key");
            return 2;
        }
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base.replaceAll("/+$", "") + call.path()))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(
                        call.method(),
                        call.body() == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(call.body()));
        if (call.body() != null) {
            req.header("content-type", "application/json");
        }
        HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 == 2) {
            System.out.println(res.body().isEmpty() ? "ok" : new JsonObject(res.body()).encodePrettily());
            return 0;
        }
        String detail = res.body();
        try {
            detail = new JsonObject(res.body()).getString("detail", res.body());
        } catch (RuntimeException notJson) {
            // keep the raw body
        }
        System.err.println("sluice admin: " + res.statusCode() + " " + detail);
        return 1;
    }

    /** The HTTP call a command line asks for. */
    static Call parse(String[] args) throws Usage, IOException {
        if (args.length < 2) {
            throw new Usage("sluice admin: say what and what to do");
        }
        List<String> rest = Arrays.asList(args).subList(2, args.length);
        String what = args[0] + " " + args[1];
        switch (what) {
            case "tenants create" -> {
                String id = positional(rest, 0, "tenant id");
                JsonObject body = new JsonObject().put("id", id);
                String name = option(rest, "--name");
                if (name != null) {
                    body.put("name", name);
                }
                String events = option(rest, "--events");
                String bytes = option(rest, "--bytes");
                if (events != null || bytes != null) {
                    JsonObject limit = new JsonObject();
                    if (events != null) {
                        limit.put("events", number("--events", events));
                    }
                    if (bytes != null) {
                        limit.put("bytes", number("--bytes", bytes));
                    }
                    body.put("rateLimit", limit);
                }
                return new Call("POST", "/admin/tenants", body.encode());
            }
            case "tenants list" -> {
                return new Call("GET", "/admin/tenants", null);
            }
            case "tenants revoke" -> {
                return new Call("DELETE", "/admin/tenants/" + positional(rest, 0, "tenant id"), null);
            }
            case "keys create" -> {
                JsonObject body = new JsonObject();
                String name = option(rest, "--name");
                if (name != null) {
                    body.put("name", name);
                }
                return new Call("POST", "/admin/tenants/" + positional(rest, 0, "tenant id") + "/keys", body.encode());
            }
            case "keys list" -> {
                return new Call("GET", "/admin/tenants/" + positional(rest, 0, "tenant id") + "/keys", null);
            }
            case "keys revoke" -> {
                return new Call("DELETE", "/admin/keys/" + positional(rest, 0, "key id"), null);
            }
            case "sources put", "sources list", "sources get", "sources delete" -> {
                return definitions("sources", "source", args[1], rest);
            }
            case "workflows put", "workflows list", "workflows get", "workflows delete" -> {
                return definitions("workflows", "workflow name", args[1], rest);
            }
            case "workflows validate" -> {
                JsonObject body = new JsonObject()
                        .put("workflow", object(read(positional(rest, 0, "definition file (or -)")), "the definition"));
                String event = option(rest, "--event");
                if (event != null) {
                    body.put("event", object(read(event), "--event"));
                }
                return new Call("POST", "/admin/workflows/validate", body.encode());
            }
            default -> throw new Usage("sluice admin: unknown command '" + what + "'");
        }
    }

    /** {@code put}, {@code list}, {@code get} or {@code delete} of the named JSON definitions under {@code /admin/<group>}. */
    private static Call definitions(String group, String name, String action, List<String> rest)
            throws Usage, IOException {
        String path = "/admin/" + group;
        return switch (action) {
            case "put" ->
                new Call(
                        "PUT",
                        path + "/" + positional(rest, 0, name),
                        read(positional(rest, 1, "definition file (or -)")));
            case "list" -> new Call("GET", path, null);
            case "get" -> new Call("GET", path + "/" + positional(rest, 0, name), null);
            case "delete" -> new Call("DELETE", path + "/" + positional(rest, 0, name), null);
            default -> throw new IllegalArgumentException(action);
        };
    }

    private static String read(String file) throws IOException {
        return file.equals("-")
                ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                : Files.readString(Path.of(file));
    }

    private static JsonObject object(String text, String what) throws Usage {
        try {
            return new JsonObject(text);
        } catch (io.vertx.core.json.DecodeException e) {
            throw new Usage("sluice admin: " + what + " is not a JSON object: " + e.getMessage());
        }
    }

    private static String positional(List<String> rest, int index, String what) throws Usage {
        int seen = 0;
        for (int i = 0; i < rest.size(); i++) {
            if (rest.get(i).startsWith("--")) {
                i++;
                continue;
            }
            if (seen++ == index) {
                return rest.get(i);
            }
        }
        throw new Usage("sluice admin: missing " + what);
    }

    private static String option(List<String> rest, String name) throws Usage {
        int i = rest.indexOf(name);
        if (i < 0) {
            return null;
        }
        if (i + 1 >= rest.size()) {
            throw new Usage("sluice admin: " + name + " needs a value");
        }
        return rest.get(i + 1);
    }

    private static long number(String name, String value) throws Usage {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new Usage("sluice admin: " + name + " must be a whole number, got " + value);
        }
    }
}
