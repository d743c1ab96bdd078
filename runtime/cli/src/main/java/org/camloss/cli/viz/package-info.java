/** Pictures of class activation maps: images with their CAAM and target CAM overlaid as heatmaps, written as PNG. */
package org.camloss.cli.viz;
