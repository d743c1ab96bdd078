/** Examples: embedding camloss in an application, and writing a plugin of your own. */
package org.camloss.examples;
