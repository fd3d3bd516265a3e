package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The learner's three outputs in memory, with one event log across them (and whatever a test adds
 * to it) to check the order of sends, flushes and snapshot writes.
 */
final class TestingPublishers
        implements SnapshotPublisher, ClassLossPublisher, DeadLetterPublisher {

    final List<ModelSnapshot> announced = new ArrayList<>();
    final List<ClassLoss> classLosses = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    int failAnnouncements;

    @Override
    public void announce(ModelSnapshot snapshot) throws Exception {
        if (failAnnouncements > 0) {
            failAnnouncements--;
            events.add("announce-failed v" + snapshot.getVersion());
            throw new IllegalStateException("announcement refused (test)");
        }
        announced.add(snapshot);
        events.add("announce v" + snapshot.getVersion());
    }

    @Override
    public void publish(ClassLoss loss) {
        classLosses.add(loss);
    }

    @Override
    public void send(DeadLetter letter) {
        deadLetters.add(letter);
        events.add("dead-letter " + letter.getPartition() + "@" + letter.getOffset());
    }

    @Override
    public void flush() {
        events.add("flush");
    }
}
