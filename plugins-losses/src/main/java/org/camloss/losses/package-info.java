/** The loss plugins: {@code cross-entropy} and {@code cam-loss}, plus target regularizers. */
package org.camloss.losses;
