/**
 * Built-in backbones (feature extractors) for camloss, found through {@link org.camloss.api.BackboneFactory}.
 *
 * <p>{@code resnet-cifar} ({@link org.camloss.backbones.ResNetCifar}, option A/B shortcuts, pre-activation),
 * {@code resnet} ({@link org.camloss.backbones.ResNet}), {@code wide-resnet}
 * ({@link org.camloss.backbones.WideResNet}), {@code vgg} ({@link org.camloss.backbones.Vgg}), {@code alexnet}
 * ({@link org.camloss.backbones.AlexNet}), {@code densenet-bc} ({@link org.camloss.backbones.DenseNetBc}),
 * {@code mobilenet-v2} ({@link org.camloss.backbones.MobileNetV2}), {@code resnext}
 * ({@link org.camloss.backbones.ResNeXt}), {@code pyramidnet} ({@link org.camloss.backbones.PyramidNet}) and
 * {@code dl4j-graph} ({@link org.camloss.backbones.Dl4jGraph}, a zoo architecture or a model file's, cut at a
 * vertex). All are built the fast way: the context's data format (NHWC by default), ReLU fused into batch
 * norm, Kaiming fan-out initialisation, {@code ConvolutionMode.Same}, deterministic vertex names.
 */
package org.camloss.backbones;
