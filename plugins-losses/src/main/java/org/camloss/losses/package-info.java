/**
 * The loss plugins {@code cross-entropy} and {@code cam-loss}, and the regularizers: batch transforms
 * ({@code label-smoothing}, {@code mixup}, {@code cutmix}, {@code cutout}, {@code random-erasing}) and network-level ones
 * ({@code dropout}, {@code stochastic-depth}, {@code shakedrop}).
 */
package org.camloss.losses;
