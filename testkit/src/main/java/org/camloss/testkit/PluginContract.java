package org.camloss.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.camloss.api.ParamSpec;
import org.camloss.api.ParamType;
import org.camloss.api.Params;
import org.camloss.api.PluginFactory;
import org.camloss.engine.Backend;
import org.junit.jupiter.api.Test;

/**
 * Checks every plugin factory must pass, whatever its kind: a kebab-case id, discovery through
 * {@link ServiceLoader}, a description, well-formed parameter declarations, defaults that validate and
 * create an instance, and unknown or out-of-range values rejected with a message naming the parameter.
 *
 * <p>Every contract runs the plugin with the runtime's backend settings, whatever the plugin project's build
 * configures: loading this class calls {@link Backend#init()}, as the runtime does before it builds a model, which turns
 * on DL4J's oneDNN layer helpers (see the package comment).
 *
 * @param <F> the factory kind
 */
public abstract class PluginContract<F extends PluginFactory<?>> {
    /** The kebab-case id rule. */
    public static final String ID_PATTERN = "[a-z0-9]+(-[a-z0-9]+)*";

    static {
        // before any layer of a contract is instantiated: DL4J reads the helpers property in each layer's constructor
        Backend.init();
    }

    /** The factory under test. */
    protected abstract F factory();

    /** The service interface it is registered under, e.g. {@code LossFactory.class}. */
    protected abstract Class<F> kind();

    /** Parameters for the instance the kind-specific checks use; defaults when empty. */
    protected Map<String, Object> testParams() {
        return Map.of();
    }

    /** The factory's parameters resolved from {@link #testParams()}. */
    protected final Params resolvedTestParams() {
        return Params.resolve(factory().params(), testParams());
    }

    @Test
    void idIsKebabCase() {
        assertTrue(factory().id().matches(ID_PATTERN), "id '" + factory().id() + "' is not kebab-case");
        for (String alias : factory().aliases()) {
            assertTrue(alias.matches(ID_PATTERN), "alias '" + alias + "' is not kebab-case");
        }
    }

    /**
     * Whether the factory is meant to be found with {@link ServiceLoader}; plugins registered only by hand
     * (test fixtures, embedded hosts) return false and skip that check.
     */
    protected boolean registeredWithServiceLoader() {
        return true;
    }

    @Test
    void isDiscoverableWithServiceLoader() {
        org.junit.jupiter.api.Assumptions.assumeTrue(registeredWithServiceLoader(), "registered by hand");
        boolean found = ServiceLoader.load(kind()).stream()
                .anyMatch(p -> p.type().equals(factory().getClass()));
        assertTrue(found, factory().getClass().getName() + " is not listed in META-INF/services/" + kind().getName());
    }

    @Test
    void hasDescription() {
        assertNotNull(factory().description());
        assertFalse(factory().description().isBlank(), "description is blank");
    }

    @Test
    void parametersAreWellDeclared() {
        Set<String> names = new HashSet<>();
        for (ParamSpec spec : factory().params()) {
            assertTrue(names.add(spec.name()), "parameter '" + spec.name() + "' is declared twice");
            assertTrue(
                    spec.check(spec.defaultValue()).error().isEmpty(),
                    "default of '" + spec.name() + "' fails its own rule: "
                            + spec.check(spec.defaultValue()).problem());
            assertFalse(spec.description().isBlank(), "parameter '" + spec.name() + "' has no description");
        }
    }

    /**
     * Whether {@code create} works with every default; false for plugins whose defaults point at files
     * the test machine lacks (their {@link #testParams()} are checked instead).
     */
    protected boolean createsWithDefaults() {
        return true;
    }

    @Test
    void defaultsCreateAnInstance() {
        org.junit.jupiter.api.Assumptions.assumeTrue(createsWithDefaults(), "defaults need files this machine lacks");
        assertNotNull(factory().create(Params.defaults(factory().params())));
    }

    @Test
    void testParamsCreateAnInstance() {
        assertNotNull(factory().create(resolvedTestParams()));
    }

    @Test
    void unknownParameterIsRejectedByName() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Params.resolve(factory().params(), Map.of("no_such_param", 1)));
        assertTrue(e.getMessage().startsWith("no_such_param: unknown parameter"), e.getMessage());
    }

    @Test
    void outOfRangeValuesAreRejected() {
        for (ParamSpec spec : factory().params()) {
            Object bad =
                    switch (spec.type()) {
                        case INT, DOUBLE -> spec.max() != null && spec.max() < 1e300 ? spec.max() + 1 : null;
                        case CHOICE -> "no-such-choice";
                        case BOOLEAN -> "maybe";
                        case STRING -> null;
                    };
            if (bad == null) {
                continue;
            }
            if (spec.type() == ParamType.INT) {
                bad = (long) (double) (Double) bad;
            }
            Object value = bad;
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> Params.resolve(factory().params(), Map.of(spec.name(), value)),
                    spec.name() + "=" + value + " was accepted");
            assertTrue(e.getMessage().startsWith(spec.name() + ": "), e.getMessage());
        }
    }

    /** The plugin as messages name it, e.g. {@code loss 'focal'}, {@code cam-method 'grad-cam'}. */
    protected final String plugin() {
        String kind = kind().getSimpleName()
                .replace("Factory", "")
                .replaceAll("(?<=[a-z])(?=[A-Z])", "-")
                .toLowerCase(java.util.Locale.ROOT);
        return kind + " '" + factory().id() + "'";
    }

    /** Fails the check with exactly {@code message} (no "expected: &lt;true&gt;" suffix) unless {@code ok}. */
    protected static void require(boolean ok, java.util.function.Supplier<String> message) {
        if (!ok) {
            org.junit.jupiter.api.Assertions.fail(message.get());
        }
    }

    /** Helper for subclasses: asserts a list has no duplicates. */
    protected static void assertDistinct(List<String> values) {
        assertEquals(values.size(), new HashSet<>(values).size(), "duplicates in " + values);
    }
}
