/** The {@code bench} command's measurements: training and inference throughput, first step, peak memory. */
package org.camloss.cli.bench;
