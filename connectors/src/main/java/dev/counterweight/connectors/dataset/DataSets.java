package dev.counterweight.connectors.dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * Where the shared public datasets live. The folder is configurable (system property {@value
 * #DATA_DIR_PROPERTY}, environment variable {@value #DATA_DIR_ENV}); by default it is {@code
 * ../shared/data} relative to the working directory. Datasets are read in place, never copied.
 */
public final class DataSets {

    /** System property naming the data folder. */
    public static final String DATA_DIR_PROPERTY = "counterweight.data.dir";

    /** Environment variable naming the data folder. */
    public static final String DATA_DIR_ENV = "COUNTERWEIGHT_DATA_DIR";

    /** The Taobao UserBehavior slice shipped in the shared folder. */
    public static final String TAOBAO_FILE = "taobao_userbehavior_timesorted_96k.csv";

    private DataSets() {}

    /** The configured data folder (it may not exist). */
    public static Path dataDir() {
        String configured = System.getProperty(DATA_DIR_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(DATA_DIR_ENV);
        }
        if (configured == null || configured.isBlank()) {
            configured = "../shared/data";
        }
        return Paths.get(configured).toAbsolutePath().normalize();
    }

    /** The Taobao file if the data folder has it. */
    public static Optional<Path> taobaoFile() {
        Path file = dataDir().resolve(TAOBAO_FILE);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }
}
