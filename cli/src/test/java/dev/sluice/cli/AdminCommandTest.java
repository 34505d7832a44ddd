package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AdminCommandTest {

    private static AdminCommand.Call parse(String... args) throws Exception {
        return AdminCommand.parse(args);
    }

    @Test
    void mapsEachCommandToItsCall() throws Exception {
        AdminCommand.Call create = parse("tenants", "create", "acme", "--name", "Acme Inc", "--events", "100");
        assertEquals("POST", create.method());
        assertEquals("/admin/tenants", create.path());
        assertEquals(
                new JsonObject()
                        .put("id", "acme")
                        .put("name", "Acme Inc")
                        .put("rateLimit", new JsonObject().put("events", 100L)),
                new JsonObject(create.body()));
        assertEquals(new AdminCommand.Call("GET", "/admin/tenants", null), parse("tenants", "list"));
        assertEquals(new AdminCommand.Call("DELETE", "/admin/tenants/acme", null), parse("tenants", "revoke", "acme"));
        assertEquals("/admin/tenants/acme/keys", parse("keys", "create", "acme").path());
        assertEquals(
                new AdminCommand.Call("DELETE", "/admin/keys/0123456789ab", null),
                parse("keys", "revoke", "0123456789ab"));
        assertEquals(new AdminCommand.Call("GET", "/admin/sources/pay", null), parse("sources", "get", "pay"));
        assertEquals(new AdminCommand.Call("DELETE", "/admin/sources/pay", null), parse("sources", "delete", "pay"));
    }

    @Test
    void mapsWorkflowCommandsAndSendsTheDefinitionAndSampleEventToValidate(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path def = dir.resolve("w.json");
        java.nio.file.Files.writeString(
                def, "{\"name\": \"ship\", \"sources\": [\"orders\"], \"steps\": [{\"url\": \"http://x/\"}]}");
        java.nio.file.Path event = dir.resolve("e.json");
        java.nio.file.Files.writeString(event, "{\"type\": \"order.created\", \"data\": {\"id\": 7}}");
        AdminCommand.Call put = parse("workflows", "put", "ship", def.toString());
        assertEquals("PUT", put.method());
        assertEquals("/admin/workflows/ship", put.path());
        assertEquals("ship", new JsonObject(put.body()).getString("name"));
        assertEquals(new AdminCommand.Call("GET", "/admin/workflows", null), parse("workflows", "list"));
        assertEquals(new AdminCommand.Call("GET", "/admin/workflows/ship", null), parse("workflows", "get", "ship"));
        assertEquals(
                new AdminCommand.Call("DELETE", "/admin/workflows/ship", null), parse("workflows", "delete", "ship"));
        AdminCommand.Call validate = parse("workflows", "validate", def.toString(), "--event", event.toString());
        assertEquals("/admin/workflows/validate", validate.path());
        JsonObject body = new JsonObject(validate.body());
        assertEquals("ship", body.getJsonObject("workflow").getString("name"));
        assertEquals(7, body.getJsonObject("event").getJsonObject("data").getInteger("id"));
        java.nio.file.Files.writeString(event, "not json");
        assertThrows(
                AdminCommand.Usage.class,
                () -> parse("workflows", "validate", def.toString(), "--event", event.toString()));
    }

    @Test
    void refusesIncompleteOrUnknownCommands() {
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants"));
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants", "create"));
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants", "create", "x", "--events", "many"));
        assertThrows(AdminCommand.Usage.class, () -> parse("keys", "rotate", "x"));
    }
}
