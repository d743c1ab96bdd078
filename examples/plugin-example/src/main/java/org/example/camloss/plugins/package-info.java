/**
 * Three camloss plugins written as a third party writes them, against {@code camloss-api} alone: a loss
 * ({@link org.example.camloss.plugins.FocalLossFactory}), a backbone ({@link org.example.camloss.plugins.PlainCnnFactory})
 * and a regularizer ({@link org.example.camloss.plugins.ConfidencePenaltyFactory}), each listed in its
 * {@code META-INF/services} file and tested with the camloss contract kit.
 */
package org.example.camloss.plugins;
