/** The {@code camloss} command line (picocli): demo, train, eval, plugins. */
package org.camloss.cli;
