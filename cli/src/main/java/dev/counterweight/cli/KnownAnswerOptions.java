package dev.counterweight.cli;

import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.connectors.dataset.KnownAnswerConfig.DelayDistribution;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Every setting of the known-answer generator ({@link KnownAnswerConfig}) as a command-line option
 * {@code --ka-<setting>} (the record component's name in kebab case), plus {@code --ka-truth-file}
 * for the side file of true probabilities. A picocli mixin, so every command that generates the
 * stream takes the same options; the seed is the command's own {@code --seed}. The defaults are
 * {@link KnownAnswerConfig#defaults(long)}'s (a test keeps them equal).
 */
public final class KnownAnswerOptions {

    @Option(
            names = "--ka-truth-file",
            description =
                    "Known-answer: write the true p(click) and p(purchase | click) of every"
                            + " exposure to this TSV file, keyed by event id (format:"
                            + " KnownAnswerTruthFile). Default: not written.")
    Path truthFile;

    @Option(
            names = "--ka-exposures",
            defaultValue = "300000",
            description =
                    "Known-answer: number of exposures (impressions); each may add a click "
                            + "and a purchase. Default: ${DEFAULT-VALUE}.")
    int exposures;

    @Option(
            names = "--ka-duration-millis",
            defaultValue = "43200000",
            description =
                    "Known-answer: event-time span over which the ranking requests are "
                            + "spread uniformly. Default: ${DEFAULT-VALUE}.")
    long durationMillis;

    @Option(
            names = "--ka-start-millis",
            defaultValue = "1700000000000",
            description =
                    "Known-answer: event time of the span's start (UTC epoch millis). "
                            + "Default: ${DEFAULT-VALUE}.")
    long startMillis;

    @Option(
            names = "--ka-users",
            defaultValue = "20000",
            description =
                    "Known-answer: distinct users; each request's user is drawn uniformly. "
                            + "Default: ${DEFAULT-VALUE}.")
    int users;

    @Option(
            names = "--ka-items",
            defaultValue = "30000",
            description =
                    "Known-answer: distinct items; item i belongs to category i mod "
                            + "categories. Default: ${DEFAULT-VALUE}.")
    int items;

    @Option(
            names = "--ka-categories",
            defaultValue = "500",
            description =
                    "Known-answer: distinct categories; at most items. Default: "
                            + "${DEFAULT-VALUE}.")
    int categories;

    @Option(
            names = "--ka-zipf-exponent",
            defaultValue = "1.1",
            description =
                    "Known-answer: skew of category popularity: a slot's category has rank "
                            + "k with probability proportional to 1/(k+1)^s (0 = uniform). Default: "
                            + "${DEFAULT-VALUE}.")
    double zipfExponent;

    @Option(
            names = "--ka-slots-per-request",
            defaultValue = "10",
            description =
                    "Known-answer: exposures per ranking request, at positions 0 .. "
                            + "slots-1. Default: ${DEFAULT-VALUE}.")
    int slotsPerRequest;

    @Option(
            names = "--ka-click-rate",
            defaultValue = "0.075",
            description =
                    "Known-answer: mean true p(click) over the exposures; the click "
                            + "intercept is solved for it. Default: ${DEFAULT-VALUE}.")
    double clickRate;

    @Option(
            names = "--ka-purchase-rate",
            defaultValue = "0.15",
            description =
                    "Known-answer: mean true p(purchase | click) over clicks; the purchase "
                            + "intercept is solved for it; below 1 - accidentalClickShare. Default: "
                            + "${DEFAULT-VALUE}.")
    double purchaseRate;

    @Option(
            names = "--ka-accidental-click-share",
            defaultValue = "0.05",
            description =
                    "Known-answer: expected share of clicks that are accidental: every "
                            + "exposure is clicked by accident with the fixed probability "
                            + "accidentalClickShare * clickRate, independently of its features; an "
                            + "accidental click never leads to a purchase. Default: ${DEFAULT-VALUE}.")
    double accidentalClickShare;

    @Option(
            names = "--ka-tail-fraction",
            defaultValue = "0.8",
            description =
                    "Known-answer: share of categories, the least popular by Zipf rank, "
                            + "whose price response is the tail's. Default: ${DEFAULT-VALUE}.")
    double tailFraction;

    @Option(
            names = "--ka-tail-price-factor",
            defaultValue = "-1.0",
            description =
                    "Known-answer: the tail categories' price effects are the head's times "
                            + "this factor (1 = same response, -1 = reversed). Default: "
                            + "${DEFAULT-VALUE}.")
    double tailPriceFactor;

    @Option(
            names = "--ka-click-price-effect",
            defaultValue = "-0.6",
            description =
                    "Known-answer: click-logit effect of one unit of log(1 + price) - "
                            + "priceLogMean in head categories. Default: ${DEFAULT-VALUE}.")
    double clickPriceEffect;

    @Option(
            names = "--ka-purchase-price-effect",
            defaultValue = "-0.8",
            description =
                    "Known-answer: purchase-logit effect of one unit of log(1 + price) - "
                            + "priceLogMean in head categories. Default: ${DEFAULT-VALUE}.")
    double purchasePriceEffect;

    @Option(
            names = "--ka-position-effect",
            defaultValue = "-0.4",
            description =
                    "Known-answer: click-logit effect of one unit of log(1 + position). "
                            + "Default: ${DEFAULT-VALUE}.")
    double positionEffect;

    @Option(
            names = "--ka-click-affinity-effect",
            defaultValue = "1.0",
            description =
                    "Known-answer: click-logit effect of the user-item affinity (dense "
                            + "feature 0). Default: ${DEFAULT-VALUE}.")
    double clickAffinityEffect;

    @Option(
            names = "--ka-purchase-affinity-effect",
            defaultValue = "0.5",
            description =
                    "Known-answer: purchase-logit effect of the user-item affinity. "
                            + "Default: ${DEFAULT-VALUE}.")
    double purchaseAffinityEffect;

    @Option(
            names = "--ka-click-quality-effect",
            defaultValue = "0.5",
            description =
                    "Known-answer: click-logit effect of the item quality (dense feature "
                            + "1). Default: ${DEFAULT-VALUE}.")
    double clickQualityEffect;

    @Option(
            names = "--ka-purchase-quality-effect",
            defaultValue = "0.5",
            description =
                    "Known-answer: purchase-logit effect of the item quality. Default: "
                            + "${DEFAULT-VALUE}.")
    double purchaseQualityEffect;

    @Option(
            names = "--ka-click-category-spread",
            defaultValue = "0.5",
            description =
                    "Known-answer: standard deviation of the hidden per-category "
                            + "click-logit effect. Default: ${DEFAULT-VALUE}.")
    double clickCategorySpread;

    @Option(
            names = "--ka-purchase-category-spread",
            defaultValue = "0.3",
            description =
                    "Known-answer: standard deviation of the hidden per-category "
                            + "purchase-logit effect. Default: ${DEFAULT-VALUE}.")
    double purchaseCategorySpread;

    @Option(
            names = "--ka-user-spread",
            defaultValue = "0.3",
            description =
                    "Known-answer: standard deviation of the hidden per-user click-logit "
                            + "effect (learnable only from the user's id or history). Default: "
                            + "${DEFAULT-VALUE}.")
    double userSpread;

    @Option(
            names = "--ka-item-spread",
            defaultValue = "0.3",
            description =
                    "Known-answer: standard deviation of the hidden per-item click-logit "
                            + "effect (learnable only from the item's id or history). Default: "
                            + "${DEFAULT-VALUE}.")
    double itemSpread;

    @Option(
            names = "--ka-latent-dimensions",
            defaultValue = "4",
            description =
                    "Known-answer: dimensions of the hidden user and item vectors whose "
                            + "scaled dot product is the affinity. Default: ${DEFAULT-VALUE}.")
    int latentDimensions;

    @Option(
            names = "--ka-price-log-mean",
            defaultValue = "3.0",
            description =
                    "Known-answer: mean of the category price levels on the log(1 + price) "
                            + "scale, and the centre of the price effect. Default: ${DEFAULT-VALUE}.")
    double priceLogMean;

    @Option(
            names = "--ka-category-price-spread",
            defaultValue = "0.7",
            description =
                    "Known-answer: standard deviation of the category price levels on the "
                            + "log scale. Default: ${DEFAULT-VALUE}.")
    double categoryPriceSpread;

    @Option(
            names = "--ka-item-price-spread",
            defaultValue = "0.5",
            description =
                    "Known-answer: standard deviation of an item's log price around its "
                            + "category's level. Default: ${DEFAULT-VALUE}.")
    double itemPriceSpread;

    @Option(
            names = "--ka-mean-click-delay-millis",
            defaultValue = "30000",
            description =
                    "Known-answer: mean of the exponential delay from an exposure to its "
                            + "click. Default: ${DEFAULT-VALUE}.")
    long meanClickDelayMillis;

    @Option(
            names = "--ka-purchase-delay",
            defaultValue = "EXPONENTIAL",
            description =
                    "Known-answer: distribution of the delay from a click to its purchase:"
                            + " ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    DelayDistribution purchaseDelay;

    @Option(
            names = "--ka-purchase-delay-mean-millis",
            defaultValue = "900000",
            description =
                    "Known-answer: mean delay from a click to its purchase. Default: "
                            + "${DEFAULT-VALUE}.")
    long purchaseDelayMeanMillis;

    @Option(
            names = "--ka-purchase-delay-shape",
            defaultValue = "1.0",
            description =
                    "Known-answer: shape of the purchase delay: the log-normal's sigma "
                            + "(ignored by the exponential). Default: ${DEFAULT-VALUE}.")
    double purchaseDelayShape;

    @Option(
            names = "--ka-drift-at",
            defaultValue = "1.0",
            description =
                    "Known-answer: fraction of the event-time span from which the hidden "
                            + "per-category effects (click and purchase) are drawn anew; NO_DRIFT (1) "
                            + "= no drift. Default: ${DEFAULT-VALUE}.")
    double driftAt;

    /** The side file to write, or null. */
    public Path truthFile() {
        return truthFile;
    }

    /**
     * The configuration these options describe, with {@code seed}.
     *
     * @throws IllegalArgumentException naming the invalid setting's option
     */
    public KnownAnswerConfig config(long seed) {
        try {
            return builder(seed).build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(withOptionNames(e.getMessage()), e);
        }
    }

    /** The option of a {@link KnownAnswerConfig} record component. */
    static String optionName(String component) {
        return "--ka-" + component.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    }

    // The record names its components; the user typed options.
    private static String withOptionNames(String message) {
        String out = message;
        for (RecordComponent c : KnownAnswerConfig.class.getRecordComponents()) {
            if (c.getName().equals("seed")) {
                continue; // the command's own --seed
            }
            out = out.replaceAll("\\b" + c.getName() + "\\b", optionName(c.getName()));
        }
        return out;
    }

    private KnownAnswerConfig.Builder builder(long seed) {
        return KnownAnswerConfig.builder(seed)
                .exposures(exposures)
                .durationMillis(durationMillis)
                .startMillis(startMillis)
                .users(users)
                .items(items)
                .categories(categories)
                .zipfExponent(zipfExponent)
                .slotsPerRequest(slotsPerRequest)
                .clickRate(clickRate)
                .purchaseRate(purchaseRate)
                .accidentalClickShare(accidentalClickShare)
                .tailFraction(tailFraction)
                .tailPriceFactor(tailPriceFactor)
                .clickPriceEffect(clickPriceEffect)
                .purchasePriceEffect(purchasePriceEffect)
                .positionEffect(positionEffect)
                .clickAffinityEffect(clickAffinityEffect)
                .purchaseAffinityEffect(purchaseAffinityEffect)
                .clickQualityEffect(clickQualityEffect)
                .purchaseQualityEffect(purchaseQualityEffect)
                .clickCategorySpread(clickCategorySpread)
                .purchaseCategorySpread(purchaseCategorySpread)
                .userSpread(userSpread)
                .itemSpread(itemSpread)
                .latentDimensions(latentDimensions)
                .priceLogMean(priceLogMean)
                .categoryPriceSpread(categoryPriceSpread)
                .itemPriceSpread(itemPriceSpread)
                .meanClickDelayMillis(meanClickDelayMillis)
                .purchaseDelay(purchaseDelay)
                .purchaseDelayMeanMillis(purchaseDelayMeanMillis)
                .purchaseDelayShape(purchaseDelayShape)
                .driftAt(driftAt);
    }
}
