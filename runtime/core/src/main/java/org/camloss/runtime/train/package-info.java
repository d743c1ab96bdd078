/** The training loop ({@link org.camloss.runtime.train.Trainer}) and its listener hooks. */
package org.camloss.runtime.train;
