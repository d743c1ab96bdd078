/** An example third-party plugin (a regularizer) with its contract test. */
package org.camloss.examples.plugin;
