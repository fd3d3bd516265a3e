/**
 * The ranking model of the online learner: an engine-neutral {@link
 * dev.counterweight.learner.model.RankingModel} contract over primitive {@link
 * dev.counterweight.learner.model.Batch mini-batches}, and its Deeplearning4j implementation, a
 * multi-task CTR/CVR network (ESMM: CTCVR = CTR × CVR) trained with a per-example {@link
 * dev.counterweight.learner.model.WeightedBinaryCrossEntropy weighted binary cross-entropy}.
 *
 * <p>All arguments are non-null unless a method says otherwise.
 */
package dev.counterweight.learner.model;
