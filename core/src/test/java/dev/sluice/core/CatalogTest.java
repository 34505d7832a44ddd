package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CatalogTest {

    @Test
    void parsesRoutesAndWorkflowsWithDefaults() {
        Catalog c = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "demo", "key": "header:X-Device"}, {"source": "pay", "topic": "payments", "ttl": "15s"}],
                 "workflows": [{"name": "w", "sources": ["demo", "pay"],
                                "steps": [{"type": "http", "url": "http://127.0.0.1:1/x", "timeout": "2s"}]}]}
                """));
        RouteConfig demo = c.routes().get("demo");
        assertEquals("sluice.demo", demo.topic());
        assertEquals(Duration.ofSeconds(20), demo.ttl());
        assertEquals(new PartitionKey.Header("X-Device"), demo.key());
        assertEquals("payments.expired", c.routes().get("pay").expiredTopic());
        assertEquals(Duration.ofSeconds(15), c.routes().get("pay").ttl());
        StepConfig.Http step = assertInstanceOf(
                StepConfig.Http.class, c.workflows().get(0).steps().get(0));
        assertEquals("POST", step.method());
        assertEquals(2, c.workflowsBySource().size());
    }

    @Test
    void errorsNameTheBadField() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(
                        new JsonObject("{\"routes\": [{\"source\": \"a\"}, {\"source\": \"b\", \"ttl\": \"900s\"}]}")));
        assertTrue(e.getMessage().startsWith("routes[1]: ttl"), e.getMessage());

        e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(new JsonObject("{\"routes\": [{\"source\": \"a\", \"colour\": \"red\"}]}")));
        assertTrue(e.getMessage().contains("colour: unknown field"), e.getMessage());

        e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(new JsonObject(
                        "{\"routes\": [{\"source\": \"a\"}], \"workflows\": [{\"name\": \"w\", \"sources\": [\"a\"],"
                                + " \"steps\": [{\"type\": \"http\", \"url\": \"ftp://x\"}]}]}")));
        assertTrue(e.getMessage().startsWith("workflows[0]: steps[0]: url must"), e.getMessage());

        e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(new JsonObject(
                        "{\"routes\": [{\"source\": \"a\"}], \"workflows\": [{\"name\": \"w\", \"sources\": [\"a\"],"
                                + " \"steps\": [{\"type\": \"http\", \"url\": \"http://x\", \"http2\": \"yes\"}]}]}")));
        assertTrue(e.getMessage().contains("http2: wrong type"), e.getMessage());
    }

    @Test
    void anHttpStepSpeaksHttp11UnlessItAsksForHttp2() {
        Catalog c = Catalog.parse(
                new JsonObject(
                        "{\"routes\": [{\"source\": \"a\"}], \"workflows\": ["
                                + "{\"name\": \"one\", \"sources\": [\"a\"], \"steps\": [{\"url\": \"http://x\"}]},"
                                + "{\"name\": \"two\", \"sources\": [\"a\"], \"steps\": [{\"url\": \"https://y\", \"http2\": true}]}]}"));
        assertTrue(!((StepConfig.Http) c.workflows().get(0).steps().get(0)).http2());
        assertTrue(((StepConfig.Http) c.workflows().get(1).steps().get(0)).http2());
    }

    @Test
    void aWorkflowOnAnUnknownSourceIsRejected() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(
                        new JsonObject(
                                "{\"workflows\": [{\"name\": \"w\", \"sources\": [\"nope\"], \"steps\": [{\"url\": \"http://h/\"}]}]}")));
        assertTrue(e.getMessage().contains("unknown source 'nope'"), e.getMessage());
    }

    @Test
    void duplicateSourcesAreRejected() {
        assertThrows(
                ConfigException.class,
                () -> Catalog.parse(new JsonObject("{\"routes\": [{\"source\": \"a\"}, {\"source\": \"a\"}]}")));
    }

    @Test
    void parsesAuthAndRateLimitsAndRefusesBadOnes() {
        RouteConfig r = Catalog.parseRoute(new JsonObject("""
                {"source": "s", "tenant": "acme", "auth": "key", "rateLimit": {"events": 100, "bytes": 2048}}"""));
        assertEquals(true, r.requiresKey());
        assertEquals(new RateLimit(100, 2048), r.rateLimit());
        RouteConfig d = Catalog.parseRoute(new JsonObject("{\"source\": \"d\"}"));
        assertEquals(AuthMode.PUBLIC, d.auth());
        assertEquals(null, d.rateLimit());
        ConfigException auth = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () -> Catalog.parseRoute(new JsonObject("{\"source\": \"s\", \"auth\": \"maybe\"}")));
        org.junit.jupiter.api.Assertions.assertTrue(auth.getMessage().contains("auth"), auth.getMessage());
        ConfigException rate = org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () -> Catalog.parseRoute(new JsonObject("{\"source\": \"s\", \"rateLimit\": {\"events\": -1}}")));
        org.junit.jupiter.api.Assertions.assertTrue(rate.getMessage().contains("rateLimit"), rate.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(
                ConfigException.class,
                () -> Catalog.parseRoute(new JsonObject("{\"source\": \"s\", \"rateLimit\": {\"requests\": 1}}")));
    }

    @Test
    void workflowsDeliverAtLeastOnceUnlessToldAndSignWithValidatedHiddenSecrets() {
        String secret = "whsec_" + java.util.Base64.getEncoder().encodeToString("0123456789abcdef0123".getBytes());
        Catalog c = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "a"}],
                 "workflows": [{"name": "w1", "sources": ["a"], "steps": [{"url": "http://127.0.0.1:1/x"}]},
                               {"name": "w2", "sources": ["a"], "delivery": "at-most-once", "signing": {"secrets": ["%s"]},
                                "steps": [{"url": "http://127.0.0.1:1/x"}]}]}
                """.formatted(secret)));
        assertEquals(WorkflowConfig.Delivery.AT_LEAST_ONCE, c.workflows().get(0).delivery());
        assertTrue(!c.workflows().get(0).signing().signs());
        WorkflowConfig w2 = c.workflows().get(1);
        assertEquals(WorkflowConfig.Delivery.AT_MOST_ONCE, w2.delivery());
        assertEquals("0123456789abcdef0123", new String(w2.signing().keys().get(0)));
        assertTrue(!w2.toString().contains(secret), w2.toString());

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(new JsonObject(
                        "{\"routes\": [{\"source\": \"a\"}], \"workflows\": [{\"name\": \"w\", \"sources\": [\"a\"],"
                                + " \"delivery\": \"exactly-once\", \"steps\": [{\"url\": \"http://x\"}]}]}")));
        assertTrue(e.getMessage().startsWith("workflows[0]: delivery"), e.getMessage());
        e = assertThrows(
                ConfigException.class,
                () -> Catalog.parse(
                        new JsonObject(
                                "{\"routes\": [{\"source\": \"a\"}], \"workflows\": [{\"name\": \"w\", \"sources\": [\"a\"],"
                                        + " \"signing\": {\"secrets\": [\"hunter2\"]}, \"steps\": [{\"url\": \"http://x\"}]}]}")));
        assertTrue(e.getMessage().startsWith("workflows[0]: signing: secrets[0]"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    }
}
