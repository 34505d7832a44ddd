package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpellingsTest {

    @Test
    void findsTheConstantSpelledSoAndNothingElse() {
        assertEquals(
                Optional.of(Idempotency.FAIL_OPEN), Spellings.find(Idempotency.values(), i -> i.spelling, "fail-open"));
        assertEquals(Optional.empty(), Spellings.find(Idempotency.values(), i -> i.spelling, "FAIL_OPEN"));
        assertEquals(Optional.empty(), Spellings.find(Idempotency.values(), i -> i.spelling, null));
    }

    @Test
    void parsersKeepTheirOwnErrors() {
        assertEquals(AuthMode.KEY, AuthMode.parse("key", "source s"));
        assertEquals(AuthMode.PUBLIC, AuthMode.parse(null, "source s"));
        assertEquals(
                "auth of source s must be one of public, key, got 'Key'",
                assertThrows(ConfigException.class, () -> AuthMode.parse("Key", "source s"))
                        .getMessage());
        assertEquals(Idempotency.NONE, Idempotency.parse(null, "source s"));
        assertEquals(
                "idempotency of source s must be one of fail-closed, fail-open, got 'none'",
                assertThrows(ConfigException.class, () -> Idempotency.parse("none", "source s"))
                        .getMessage());
        assertEquals(StepConfig.Redis.Command.INCR, StepConfig.Redis.Command.parse("incr"));
        assertThrows(ConfigException.class, () -> StepConfig.Redis.Command.parse(null));
        assertEquals(WorkflowConfig.Delivery.AT_MOST_ONCE, WorkflowConfig.Delivery.parse("at-most-once"));
        assertThrows(ConfigException.class, () -> WorkflowConfig.Delivery.parse(null));
    }
}
