package dev.counterweight.connectors.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaobaoUserBehaviorReaderTest {

    @Test
    void firstViewIsTheExposureAndLaterViewsAreClicks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ub.csv");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "1,10,100,pv,1511658000",
                        "1,10,100,pv,1511658060",
                        "2,10,100,pv,1511658061",
                        "1,10,100,cart,1511658062",
                        "1,10,100,fav,1511658063",
                        "1,10,100,buy,1511658064",
                        ""));

        List<UserEvent> events = TaobaoUserBehaviorReader.read(file, -1);

        assertThat(events)
                .extracting(UserEvent::getType)
                .containsExactly(
                        EventType.IMPRESSION,
                        EventType.CLICK,
                        EventType.IMPRESSION,
                        EventType.CART,
                        EventType.FAV,
                        EventType.PURCHASE);
        assertThat(events.get(0).getEventTime().toEpochMilli()).isEqualTo(1_511_658_000_000L);
        assertThat(events).extracting(UserEvent::getEventId).startsWith("tb-1", "tb-2");
    }

    @Test
    void malformedLinesNameTheLine() {
        Set<String> seen = new HashSet<>();
        assertThatThrownBy(() -> TaobaoUserBehaviorReader.parse("1,2,3,pv", 7, seen))
                .hasMessageContaining("line 7");
        assertThatThrownBy(() -> TaobaoUserBehaviorReader.parse("1,2,3,look,5", 8, seen))
                .hasMessageContaining("unknown behavior 'look'");
        assertThatThrownBy(() -> TaobaoUserBehaviorReader.parse("1,2,3,pv,x", 9, seen))
                .hasMessageContaining("bad timestamp");
    }

    @Test
    void sharedFileMatchesItsProvenanceCounts() {
        var file = DataSets.taobaoFile();
        assumeTrue(file.isPresent(), "shared data folder absent: " + DataSets.dataDir());

        List<UserEvent> events = TaobaoUserBehaviorReader.read(file.get(), -1);
        Map<EventType, Long> byType =
                events.stream()
                        .collect(Collectors.groupingBy(UserEvent::getType, Collectors.counting()));

        // PROVENANCE.md: 96,168 rows; pv 85,773, cart 5,292, fav 2,959, buy 2,144.
        assertThat(events).hasSize(96_168);
        assertThat(byType.get(EventType.IMPRESSION) + byType.get(EventType.CLICK))
                .isEqualTo(85_773L);
        assertThat(byType.get(EventType.CART)).isEqualTo(5_292L);
        assertThat(byType.get(EventType.FAV)).isEqualTo(2_959L);
        assertThat(byType.get(EventType.PURCHASE)).isEqualTo(2_144L);
        assertThat(events.stream().map(UserEvent::getCategoryId).distinct().count())
                .isEqualTo(3_757L);
        // Exposures are distinct (user, item) pairs with a view.
        long pairs =
                events.stream()
                        .filter(e -> e.getType() == EventType.IMPRESSION)
                        .map(e -> e.getUserId() + "/" + e.getItemId())
                        .collect(Collectors.toMap(Function.identity(), x -> 1, Integer::sum))
                        .size();
        assertThat(pairs).isEqualTo(byType.get(EventType.IMPRESSION));
    }
}
