/**
 * The head every camloss model ends in ({@link org.camloss.engine.head.CamHead}: global average pooling, one linear
 * layer and the {@link org.camloss.engine.head.Objective}), its DL4J runtime layer, and the label columns that carry a
 * teacher's signals (see the engine room's overview, {@link org.camloss.engine}).
 */
package org.camloss.engine.head;
