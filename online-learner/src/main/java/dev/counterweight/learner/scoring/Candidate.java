package dev.counterweight.learner.scoring;

import java.util.List;

/**
 * One item to score for a user.
 *
 * @param userId user id
 * @param itemId item id
 * @param categoryId item category id
 * @param features sample features in the job's layout (see {@code FeatureLayout})
 * @param samplingRate the negative keep-rate the model was trained with for this candidate's class,
 *     1 if none; scores are recalibrated with q = p / (p + (1 - p) / r)
 */
public record Candidate(
        String userId,
        String itemId,
        String categoryId,
        List<Float> features,
        double samplingRate) {
    public Candidate {
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "samplingRate must be in (0, 1], was " + samplingRate);
        }
    }
}
