/**
 * Built-in backbones (feature extractors) for camloss, found through {@link org.camloss.api.BackboneFactory}.
 *
 * <p>{@code resnet-cifar}: the CIFAR-style ResNet of He et al. (2016), {@link org.camloss.backbones.ResNetCifar}.
 */
package org.camloss.backbones;
