package dev.counterweight.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.KnownAnswerConfig.DelayDistribution;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator.ExposureTruth;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator.Generated;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against its own truth: the labels it draws follow the probabilities it reports.
 * Statistical checks use a z bound of 4 (a seeded run either passes or not; a correct generator
 * fails one check with probability about 6e-5) and a chi-square bound at its 99.9% quantile.
 */
class KnownAnswerGeneratorTest {

    private static final double Z = 4;

    /** The default configuration (300,000 exposures), seed 42. */
    private static Generated defaultStream;

    private static Outcomes defaultOutcomes;

    @BeforeAll
    static void generateDefault() {
        defaultStream = KnownAnswerGenerator.generate(KnownAnswerConfig.defaults(42));
        defaultOutcomes = Outcomes.of(defaultStream);
    }

    /** What happened to every exposure, aligned with {@link Generated#truths()}. */
    record Outcomes(
            UserEvent[] exposure, boolean[] clicked, boolean[] bought, long[] click, long[] buy) {
        static Outcomes of(Generated g) {
            int n = g.truths().size();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) {
                index.put(g.truths().get(i).eventId(), i);
            }
            Outcomes o =
                    new Outcomes(
                            new UserEvent[n],
                            new boolean[n],
                            new boolean[n],
                            new long[n],
                            new long[n]);
            for (UserEvent e : g.events()) {
                String id = e.getEventId();
                long t = e.getEventTime().toEpochMilli();
                switch (e.getType()) {
                    case IMPRESSION -> o.exposure[index.get(id)] = e;
                    case CLICK -> {
                        assertThat(id).endsWith("-c");
                        int i = index.get(id.substring(0, id.length() - 2));
                        o.clicked[i] = true;
                        o.click[i] = t;
                    }
                    case PURCHASE -> {
                        assertThat(id).endsWith("-p");
                        int i = index.get(id.substring(0, id.length() - 2));
                        o.bought[i] = true;
                        o.buy[i] = t;
                    }
                    default -> throw new AssertionError("unexpected event " + e);
                }
            }
            return o;
        }
    }

    /**
     * Sorts {@code probabilities} into {@code buckets} equal-count buckets and checks each bucket's
     * positives against {@code Σ p} within Z standard deviations {@code sqrt(Σ p(1−p))}, the sum of
     * squared z against chi-square({@code buckets}) at 99.9%, and the total.
     */
    private static void assertMatchesTruth(
            List<Double> probabilities, List<Boolean> labels, int buckets, String what) {
        int n = probabilities.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(probabilities::get));
        double chiSquare = 0;
        double totalExpected = 0;
        double totalVariance = 0;
        long totalObserved = 0;
        for (int b = 0; b < buckets; b++) {
            double expected = 0;
            double variance = 0;
            long observed = 0;
            for (int k = (int) ((long) b * n / buckets); k < (long) (b + 1) * n / buckets; k++) {
                double p = probabilities.get(order[k]);
                expected += p;
                variance += p * (1 - p);
                observed += labels.get(order[k]) ? 1 : 0;
            }
            double z = (observed - expected) / Math.sqrt(variance);
            assertThat(Math.abs(z))
                    .as("%s bucket %d: observed %d, expected %.1f", what, b, observed, expected)
                    .isLessThan(Z);
            chiSquare += z * z;
            totalExpected += expected;
            totalVariance += variance;
            totalObserved += observed;
        }
        // chi-square with 10 degrees of freedom: 99.9% quantile 29.59.
        assertThat(chiSquare).as("%s chi-square over %d buckets", what, buckets).isLessThan(29.59);
        assertThat(Math.abs(totalObserved - totalExpected) / Math.sqrt(totalVariance))
                .as("%s overall: observed %d, expected %.1f", what, totalObserved, totalExpected)
                .isLessThan(Z);
    }

    @Test
    void clickAndPurchaseRatesPerTrueProbabilityBucketMatchTheTruthOverManyDraws() {
        List<Double> pClick = new ArrayList<>();
        List<Boolean> clicked = new ArrayList<>();
        List<Double> pBuy = new ArrayList<>();
        List<Boolean> bought = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            Generated g =
                    KnownAnswerGenerator.generate(
                            KnownAnswerConfig.builder(seed).exposures(100_000).build());
            Outcomes o = Outcomes.of(g);
            for (int i = 0; i < g.truths().size(); i++) {
                ExposureTruth t = g.truths().get(i);
                pClick.add(t.pClick());
                clicked.add(o.clicked[i]);
                if (o.clicked[i]) {
                    pBuy.add(t.pPurchaseGivenClick());
                    bought.add(o.bought[i]);
                }
            }
        }
        assertMatchesTruth(pClick, clicked, 10, "clicks");
        assertMatchesTruth(pBuy, bought, 10, "purchases among clicks");
    }

    @Test
    void defaultStreamHasTheConfiguredRatesSizeAndSpan() {
        KnownAnswerConfig c = defaultStream.config();
        assertThat(c).isEqualTo(KnownAnswerConfig.defaults(42));
        int n = defaultStream.truths().size();
        assertThat(n).isEqualTo(300_000);
        // The intercepts are solved so that the mean truths are exactly the targets.
        double meanClick =
                defaultStream.truths().stream()
                        .mapToDouble(ExposureTruth::pClick)
                        .average()
                        .orElseThrow();
        double clickWeightedBuy =
                defaultStream.truths().stream().mapToDouble(ExposureTruth::pPurchase).sum()
                        / defaultStream.truths().stream().mapToDouble(ExposureTruth::pClick).sum();
        assertThat(meanClick).isCloseTo(0.075, within(1e-9));
        assertThat(clickWeightedBuy).isCloseTo(0.15, within(1e-9));
        long clicks = count(defaultOutcomes.clicked);
        long buys = count(defaultOutcomes.bought);
        assertThat(clicks / (double) n).isBetween(0.05, 0.10);
        assertThat(buys / (double) clicks).isBetween(0.10, 0.20);
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (UserEvent e : defaultOutcomes.exposure) {
            first = Math.min(first, e.getEventTime().toEpochMilli());
            last = Math.max(last, e.getEventTime().toEpochMilli());
        }
        assertThat(first).isGreaterThanOrEqualTo(c.startMillis());
        assertThat(last).isLessThan(c.startMillis() + c.durationMillis());
        assertThat(last - first).isGreaterThan(c.durationMillis() - 60_000);
        assertThat(defaultStream.events())
                .isSortedAccordingTo(
                        Comparator.comparing(UserEvent::getEventTime)
                                .thenComparing(UserEvent::getEventId));
    }

    @Test
    void eventsCarryTheFeaturesButNotTheTruth() {
        for (UserEvent e : defaultOutcomes.exposure) {
            assertThat(e.getFeatures()).hasSize(KnownAnswerGenerator.DENSE_FEATURES);
            assertThat(e.getPrice()).isPositive();
            assertThat(e.getPosition()).isBetween(0, 9);
            assertThat(e.getRequestId()).startsWith("kr");
        }
        for (UserEvent e : defaultStream.events()) {
            if (e.getType() != EventType.IMPRESSION) {
                assertThat(e.getFeatures()).isEmpty();
                assertThat(e.getRequestId()).isNotNull(); // attribution keys on request + item
            }
        }
        // Within a request every item is shown once, so attribution never merges two exposures.
        Map<String, Long> keys = new HashMap<>();
        for (UserEvent e : defaultOutcomes.exposure) {
            keys.merge(e.getRequestId() + "/" + e.getItemId(), 1L, Long::sum);
        }
        assertThat(keys).hasSize(defaultOutcomes.exposure.length);
    }

    @Test
    void categoriesFollowTheZipfLaw() {
        KnownAnswerConfig c = defaultStream.config();
        long[] counts = new long[c.categories()];
        for (UserEvent e : defaultOutcomes.exposure) {
            counts[Integer.parseInt(e.getCategoryId().substring(2))]++;
        }
        Zipf zipf = new Zipf(c.categories(), c.zipfExponent());
        double chiSquare = 0;
        for (int k = 0; k < counts.length; k++) {
            double expected = c.exposures() * zipf.probability(k);
            chiSquare += (counts[k] - expected) * (counts[k] - expected) / expected;
        }
        // 499 degrees of freedom: mean 499, sd 31.6; a uniform draw would give ~ 10^6.
        assertThat(chiSquare).isLessThan(499 + 5 * Math.sqrt(2 * 499));
        // The reference itself: P(rank 1) / P(rank 500) = 500^1.1.
        assertThat(zipf.probability(0) / zipf.probability(499))
                .isCloseTo(Math.pow(500, 1.1), within(1e-6 * Math.pow(500, 1.1)));
    }

    @Test
    void purchaseDelaysHaveTheConfiguredMeanAndSomeFallBeyondTheWindow() {
        long window = 30 * 60_000L;
        List<Double> delays = new ArrayList<>();
        long beyond = 0;
        for (int i = 0; i < defaultOutcomes.bought.length; i++) {
            if (defaultOutcomes.bought[i]) {
                delays.add((double) (defaultOutcomes.buy[i] - defaultOutcomes.click[i]));
                long exposed = defaultOutcomes.exposure[i].getEventTime().toEpochMilli();
                beyond += defaultOutcomes.buy[i] > exposed + window ? 1 : 0;
            }
        }
        double mean = delays.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        // Exponential: sd = mean.
        assertThat(mean)
                .isCloseTo(15 * 60_000.0, within(Z * 15 * 60_000.0 / Math.sqrt(delays.size())));
        // Click delay Exp(rate 2/min) plus purchase delay Exp(rate 1/15 min) exceeds 30 min with
        // probability (λ1 e^(−λ2 t) − λ2 e^(−λ1 t)) / (λ1 − λ2).
        double l1 = 2;
        double l2 = 1 / 15.0;
        double expected = (l1 * Math.exp(-l2 * 30) - l2 * Math.exp(-l1 * 30)) / (l1 - l2);
        double share = beyond / (double) delays.size();
        assertThat(share)
                .isCloseTo(
                        expected, within(Z * Math.sqrt(expected * (1 - expected) / delays.size())));
    }

    @Test
    void logNormalPurchaseDelaysHaveTheConfiguredMean() {
        Generated g =
                KnownAnswerGenerator.generate(
                        KnownAnswerConfig.builder(5)
                                .exposures(100_000)
                                .purchaseDelay(DelayDistribution.LOG_NORMAL)
                                .purchaseDelayShape(0.5)
                                .build());
        Outcomes o = Outcomes.of(g);
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        for (int i = 0; i < o.bought.length; i++) {
            if (o.bought[i]) {
                double d = o.buy[i] - o.click[i];
                sum += d;
                sumSquares += d * d;
                n++;
            }
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSquares / n - mean * mean);
        assertThat(mean).isCloseTo(15 * 60_000.0, within(Z * sd / Math.sqrt(n)));
        // Log-normal with sigma 0.5: sd / mean = sqrt(e^0.25 − 1) = 0.533 (exponential: 1).
        assertThat(sd / mean).isCloseTo(Math.sqrt(Math.exp(0.25) - 1), within(0.05));
    }

    @Test
    void aboutFivePercentOfClicksAreAccidentalWhateverTheFeaturesAndNoneBuys() {
        KnownAnswerConfig c = defaultStream.config();
        double epsilon = c.accidentalClickProbability();
        List<Double> rate = new ArrayList<>();
        List<Boolean> accidental = new ArrayList<>();
        long accidents = 0;
        for (int i = 0; i < defaultOutcomes.clicked.length; i++) {
            ExposureTruth t = defaultStream.truths().get(i);
            if (t.accidentalClick()) {
                accidents++;
                assertThat(defaultOutcomes.clicked[i]).isTrue();
                assertThat(defaultOutcomes.bought[i]).isFalse();
            }
            // Bucketed by the true p(click): the accident rate is ε in every bucket.
            rate.add(epsilon);
            accidental.add(t.accidentalClick());
        }
        List<Double> byClick = new ArrayList<>();
        List<Boolean> accidentalByClick = new ArrayList<>();
        Integer[] order = new Integer[rate.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order, Comparator.comparingDouble(i -> defaultStream.truths().get(i).pClick()));
        for (int i : order) {
            byClick.add(rate.get(i));
            accidentalByClick.add(accidental.get(i));
        }
        // assertMatchesTruth sorts stably by the (equal) rates, so its buckets keep this order.
        assertMatchesTruth(byClick, accidentalByClick, 10, "accidental clicks by p(click)");
        long clicks = count(defaultOutcomes.clicked);
        double share = accidents / (double) clicks;
        assertThat(share)
                .isCloseTo(c.accidentalClickShare(), within(Z * Math.sqrt(0.05 * 0.95 / clicks)));
    }

    @Test
    void tailCategoriesRespondToPriceAsConfigured() {
        // Same seed, same draws: only the tail's price factor differs (-1 and 1), so the
        // intent logits differ by a constant (the re-solved intercept) in the head and torso and
        // by that constant plus 2 · clickPriceEffect · (log(1 + price) − priceLogMean) in the tail.
        KnownAnswerConfig reversed = KnownAnswerConfig.builder(9).exposures(30_000).build();
        KnownAnswerConfig same = reversed.toBuilder().tailPriceFactor(1).build();
        Generated a = KnownAnswerGenerator.generate(reversed);
        Generated b = KnownAnswerGenerator.generate(same);
        Outcomes oa = Outcomes.of(a);
        double epsilon = reversed.accidentalClickProbability();
        Double headShift = null;
        List<double[]> tail = new ArrayList<>();
        for (int i = 0; i < a.truths().size(); i++) {
            UserEvent e = oa.exposure[i];
            double d =
                    logit(intent(a.truths().get(i).pClick(), epsilon))
                            - logit(intent(b.truths().get(i).pClick(), epsilon));
            int rank = Integer.parseInt(e.getCategoryId().substring(2));
            if (KnownAnswerGenerator.isTailCategory(reversed, rank)) {
                tail.add(new double[] {d, Math.log1p(e.getPrice()) - reversed.priceLogMean()});
            } else if (headShift == null) {
                headShift = d;
            } else {
                assertThat(d).isCloseTo(headShift, within(1e-6));
            }
        }
        assertThat(tail).hasSizeGreaterThan(1_000);
        for (double[] t : tail) {
            assertThat(t[0] - headShift)
                    .isCloseTo(-2 * reversed.clickPriceEffect() * t[1], within(1e-6));
        }
        // 400 of 500 categories are tail, the least popular ones.
        assertThat(KnownAnswerGenerator.isTailCategory(reversed, 99)).isFalse();
        assertThat(KnownAnswerGenerator.isTailCategory(reversed, 100)).isTrue();
    }

    @Test
    void aDriftPointRedrawsTheCategoryEffectsFromThere() {
        KnownAnswerConfig steady = KnownAnswerConfig.builder(11).exposures(30_000).build();
        KnownAnswerConfig drifting = steady.toBuilder().driftAt(0.5).build();
        Generated a = KnownAnswerGenerator.generate(steady);
        Generated b = KnownAnswerGenerator.generate(drifting);
        Outcomes oa = Outcomes.of(a);
        double epsilon = steady.accidentalClickProbability();
        long driftTime = steady.startMillis() + steady.durationMillis() / 2;
        Double before = null;
        double minAfter = Double.MAX_VALUE;
        double maxAfter = -Double.MAX_VALUE;
        for (int i = 0; i < a.truths().size(); i++) {
            double d =
                    logit(intent(a.truths().get(i).pClick(), epsilon))
                            - logit(intent(b.truths().get(i).pClick(), epsilon));
            if (oa.exposure[i].getEventTime().toEpochMilli() < driftTime) {
                if (before == null) {
                    before = d;
                }
                assertThat(d).isCloseTo(before, within(1e-6));
            } else {
                minAfter = Math.min(minAfter, d);
                maxAfter = Math.max(maxAfter, d);
            }
        }
        // The category effects (sd 0.5) are drawn anew: differences spread over logits.
        assertThat(maxAfter - minAfter).isGreaterThan(1);
    }

    @Test
    void sameSeedGivesTheSameStreamAndOtherSeedsAnother() {
        KnownAnswerConfig c =
                KnownAnswerConfig.builder(3).exposures(5_000).users(500).items(1_000).build();
        Generated a = KnownAnswerGenerator.generate(c);
        Generated b = KnownAnswerGenerator.generate(c);
        assertThat(a.events()).isEqualTo(b.events());
        assertThat(a.truths()).isEqualTo(b.truths());
        Generated other = KnownAnswerGenerator.generate(c.toBuilder().seed(4).build());
        assertThat(other.events()).isNotEqualTo(a.events());
        assertThat(other.truths()).isNotEqualTo(a.truths());
    }

    @Test
    void theSideFileRoundTrips(@TempDir Path dir) throws IOException {
        Generated g =
                KnownAnswerGenerator.generate(
                        KnownAnswerConfig.builder(6).exposures(2_000).build());
        Path file = dir.resolve("truth/known-answer.tsv");
        KnownAnswerTruthFile.write(file, g.truths());
        assertThat(KnownAnswerTruthFile.read(file)).isEqualTo(g.truths());
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2_002);
        assertThat(lines.get(0)).isEqualTo(KnownAnswerTruthFile.MAGIC);
        assertThat(lines.get(1))
                .isEqualTo("event_id\tp_click\tp_purchase_given_click\taccidental_click");
        assertThat(lines.get(2)).startsWith("ka-0\t");
    }

    @Test
    void aMalformedSideFileNamesTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.tsv");
        Files.writeString(
                file,
                KnownAnswerTruthFile.MAGIC
                        + "\n"
                        + KnownAnswerTruthFile.HEADER
                        + "\nka-0\t0.1\t0.2\t0\nka-1\t0.1\tx\t0\n");
        assertThatThrownBy(() -> KnownAnswerTruthFile.read(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("line 4");
        Files.writeString(file, "event_id\tp_click\n");
        assertThatThrownBy(() -> KnownAnswerTruthFile.read(file))
                .hasMessageContaining("line 1")
                .hasMessageContaining(KnownAnswerTruthFile.MAGIC);
    }

    @Test
    void invalidSettingsFailNamingTheSetting() {
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).clickRate(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clickRate must lie in (0.0, 1.0)");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).exposures(0).build())
                .hasMessageContaining("exposures must be positive");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).purchaseRate(0.96).build())
                .hasMessageContaining("purchaseRate must lie below 1 - accidentalClickShare");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).categories(40_000).build())
                .hasMessageContaining("categories must not exceed items");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).driftAt(1.5).build())
                .hasMessageContaining("driftAt must lie in [0.0, 1.0]");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).tailPriceFactor(Double.NaN).build())
                .hasMessageContaining("tailPriceFactor must be finite");
        assertThatThrownBy(() -> KnownAnswerConfig.builder(1).purchaseDelay(null).build())
                .hasMessageContaining("purchaseDelay must not be null");
        assertThat(KnownAnswerConfig.defaults(1).toBuilder().build())
                .isEqualTo(KnownAnswerConfig.defaults(1));
    }

    private static double intent(double pClick, double epsilon) {
        return (pClick - epsilon) / (1 - epsilon);
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    private static long count(boolean[] values) {
        long n = 0;
        for (boolean v : values) {
            n += v ? 1 : 0;
        }
        return n;
    }
}
