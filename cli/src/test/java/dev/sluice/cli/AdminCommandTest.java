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
        assertEquals(new JsonObject().put("id", "acme").put("name", "Acme Inc").put("rateLimit", new JsonObject().put("events", 100L)),
                new JsonObject(create.body()));
        assertEquals(new AdminCommand.Call("GET", "/admin/tenants", null), parse("tenants", "list"));
        assertEquals(new AdminCommand.Call("DELETE", "/admin/tenants/acme", null), parse("tenants", "revoke", "acme"));
        assertEquals("/admin/tenants/acme/keys", parse("keys", "create", "acme").path());
        assertEquals(new AdminCommand.Call("DELETE", "/admin/keys/0123456789ab", null), parse("keys", "revoke", "0123456789ab"));
        assertEquals(new AdminCommand.Call("GET", "/admin/sources/pay", null), parse("sources", "get", "pay"));
        assertEquals(new AdminCommand.Call("DELETE", "/admin/sources/pay", null), parse("sources", "delete", "pay"));
    }

    @Test
    void refusesIncompleteOrUnknownCommands() {
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants"));
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants", "create"));
        assertThrows(AdminCommand.Usage.class, () -> parse("tenants", "create", "x", "--events", "many"));
        assertThrows(AdminCommand.Usage.class, () -> parse("keys", "rotate", "x"));
    }
}
