package dev.counterweight.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Log4j 2 configurations that send a child JVM's log to one file. */
final class Log4jFiles {

    private Log4jFiles() {}

    /**
     * Writes a properties configuration next to {@code logFile} and returns the JVM flags that
     * select it.
     */
    static java.util.List<String> flagsFor(Path logFile) {
        Path config = logFile.resolveSibling(logFile.getFileName() + ".log4j2.properties");
        String text =
                String.join(
                        "\n",
                        "status = WARN",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "appender.file.name = file",
                        "appender.file.type = File",
                        "appender.file.append = true",
                        "appender.file.fileName = " + logFile.toAbsolutePath(),
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p [%t] %c - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        "logger.kafkaserver.name = kafka",
                        "logger.kafkaserver.level = INFO",
                        "logger.zk.name = org.apache.flink.shaded.zookeeper3",
                        "logger.zk.level = WARN",
                        "");
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(config, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return java.util.List.of(
                "-Dlog4j.configurationFile=" + config.toUri(),
                "-Dlog4j2.configurationFile=" + config.toUri(),
                "-Dlog.file=" + logFile.toAbsolutePath());
    }
}
