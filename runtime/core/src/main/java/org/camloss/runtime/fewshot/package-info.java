/**
 * Few-shot evaluation of a trained model's frozen features ({@code camloss fewshot}): the backbone's pooled features
 * of every image of the chosen classes are extracted once ({@link org.camloss.runtime.fewshot.FeatureExtractor});
 * class-balanced N-way K-shot episodes are drawn from them deterministically
 * ({@link org.camloss.runtime.fewshot.EpisodeSampler}); each classifier — nearest prototype (euclidean or cosine),
 * 1-nearest neighbour, or a linear softmax classifier trained on the support set — labels each episode's queries
 * ({@link org.camloss.runtime.fewshot.EpisodeEvaluation}); the mean accuracy over the episodes is reported with its
 * 95 % confidence interval ({@link org.camloss.runtime.fewshot.AccuracySummary}). {@link
 * org.camloss.runtime.fewshot.FewShot} runs the whole evaluation and writes {@code fewshot.json}.
 */
package org.camloss.runtime.fewshot;
