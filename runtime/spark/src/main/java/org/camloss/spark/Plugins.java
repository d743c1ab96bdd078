package org.camloss.spark;

import org.camloss.api.PluginFactory;
import org.camloss.runtime.registry.PluginKind;
import org.camloss.runtime.registry.PluginRegistry;

/** Makes plugins on an executor from their config nodes, with the plugins the executor's class path holds. */
final class Plugins {
    private Plugins() {}

    static <F extends PluginFactory<T>, T> T make(PluginKind<F> kind, Specs spec) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        PluginRegistry registry = PluginRegistry.discover(loader != null ? loader : Plugins.class.getClassLoader());
        F factory = registry.find(kind, spec.id())
                .orElseThrow(() -> new IllegalStateException("the executor has no " + kind + " plugin '" + spec.id()
                        + "' (" + registry.unknownIdMessage(kind, spec.id())
                        + "); ship the plugin's jar with the application"));
        return factory.create(spec.toSpec().toParams());
    }
}
