package dev.counterweight.connectors.dataset;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the Taobao UserBehavior CSV ({@code user_id,item_id,category_id,behavior,timestamp_s}, no
 * header) into {@link UserEvent}s.
 *
 * <p>The dataset has no impressions, so the mapping is explicit:
 *
 * <ul>
 *   <li>a user's first {@code pv} of an item is the exposure: {@link EventType#IMPRESSION};
 *   <li>every later {@code pv} of the same item by the same user is a {@link EventType#CLICK} (a
 *       return to the item's page is the engagement signal);
 *   <li>{@code cart}, {@code fav}, {@code buy} map to {@link EventType#CART}, {@link
 *       EventType#FAV}, {@link EventType#PURCHASE}.
 * </ul>
 *
 * Event ids are {@code tb-<line number>}, so a replay is reproducible. Lines that do not parse are
 * passed on as they are to {@link #readRaw}'s callers; {@link #read} fails on them with the line
 * number.
 */
public final class TaobaoUserBehaviorReader {

    private TaobaoUserBehaviorReader() {}

    /** Reads at most {@code limit} events (all with {@code limit < 0}). */
    public static List<UserEvent> read(Path file, int limit) {
        List<UserEvent> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNumber = 0;
            while ((line = reader.readLine()) != null && (limit < 0 || out.size() < limit)) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                out.add(parse(line, lineNumber, seen));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /**
     * Parses one line.
     *
     * @param seen (user,item) pairs viewed so far; updated
     * @throws IllegalArgumentException naming the line if it is malformed
     */
    static UserEvent parse(String line, long lineNumber, Set<String> seen) {
        String[] f = line.split(",", -1);
        if (f.length != 5) {
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": expected 5 columns, got " + f.length + ": " + line);
        }
        String user = f[0].trim();
        String item = f[1].trim();
        String category = f[2].trim();
        long seconds;
        try {
            seconds = Long.parseLong(f[4].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "line " + lineNumber + ": bad timestamp '" + f[4] + "'", e);
        }
        EventType type =
                switch (f[3].trim()) {
                    case "pv" ->
                            seen.add(user + "\u0000" + item)
                                    ? EventType.IMPRESSION
                                    : EventType.CLICK;
                    case "cart" -> EventType.CART;
                    case "fav" -> EventType.FAV;
                    case "buy" -> EventType.PURCHASE;
                    default ->
                            throw new IllegalArgumentException(
                                    "line " + lineNumber + ": unknown behavior '" + f[3] + "'");
                };
        return UserEvent.newBuilder()
                .setEventId("tb-" + lineNumber)
                .setUserId(user)
                .setItemId(item)
                .setCategoryId(category)
                .setType(type)
                .setEventTime(Instant.ofEpochSecond(seconds))
                .setRequestId(null)
                .setPosition(null)
                .setPrice(null)
                .setFeatures(new ArrayList<>())
                .build();
    }
}
