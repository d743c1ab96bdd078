/** ND4J/DL4J plumbing: backend start-up, the classical-momentum updater, schedules and coupled weight decay. */
package org.camloss.engine.optim;
