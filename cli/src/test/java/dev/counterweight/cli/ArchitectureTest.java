package dev.counterweight.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The module direction of ARCHITECTURE.md, checked on the bytecode of all main code (this module
 * sees every other one; test code is not imported). Maven already keeps a module from compiling
 * against one it does not declare; these rules also catch what a declared dependency allows but the
 * architecture does not, such as a benchmark reaching into a job's {@code internal} package.
 */
@AnalyzeClasses(
        packages = "dev.counterweight",
        importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    private static final String CORE = "dev.counterweight.core..";
    private static final String JOBS = "dev.counterweight.jobs..";
    private static final String LEARNER = "dev.counterweight.learner..";
    private static final String EXPERIMENTS = "dev.counterweight.experiments..";
    private static final String CLI = "dev.counterweight.cli..";

    /** Leaves out test jars ({@code *-tests.jar}), which the default test filter lets through. */
    public static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule internalPackagesStayInternal =
            classes()
                    .that()
                    .resideInAPackage("..internal..")
                    .should(onlyBeUsedFromTheirParentPackageTree());

    @ArchTest
    static final ArchRule nothingDependsOnTheCli =
            noClasses()
                    .that()
                    .resideOutsideOfPackage(CLI)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(CLI);

    @ArchTest
    static final ArchRule theJobDoesNotUseTheLearner =
            noClasses()
                    .that()
                    .resideInAPackage(JOBS)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(LEARNER)
                    .because("the job and the learner meet only through Kafka topics");

    @ArchTest
    static final ArchRule theLearnerDoesNotUseTheJob =
            noClasses()
                    .that()
                    .resideInAPackage(LEARNER)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(JOBS)
                    .because("the job and the learner meet only through Kafka topics");

    @ArchTest
    static final ArchRule experimentsDoNotUseTheJob =
            noClasses()
                    .that()
                    .resideInAPackage(EXPERIMENTS)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(JOBS)
                    .because("the experiment path calls core, not the job (its tests may)");

    @ArchTest
    static final ArchRule coreIsPureJava =
            noClasses()
                    .that()
                    .resideInAPackage(CORE)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "org.apache.flink..",
                            "org.apache.kafka..",
                            "org.apache.avro..",
                            "org.deeplearning4j..",
                            "org.nd4j..",
                            "dev.counterweight.avro..")
                    .because("core runs in the job, the learner and offline tools alike");

    @ArchTest
    static final ArchRule coreUsesNoOtherModule =
            noClasses()
                    .that()
                    .resideInAPackage(CORE)
                    .should()
                    .dependOnClassesThat()
                    .resideOutsideOfPackages(CORE, "java..")
                    .because("core depends on the JDK only");

    /**
     * A class in {@code a.b.internal} (or below it) may be used only from {@code a.b} and the
     * packages below {@code a.b}.
     */
    static ArchCondition<JavaClass> onlyBeUsedFromTheirParentPackageTree() {
        return new ArchCondition<>("only be used from their parent package tree") {
            @Override
            public void check(JavaClass target, ConditionEvents events) {
                String parent = parentOfInternal(target.getPackageName());
                for (Dependency d : target.getDirectDependenciesToSelf()) {
                    String from = d.getOriginClass().getPackageName();
                    if (!from.equals(parent) && !from.startsWith(parent + ".")) {
                        events.add(
                                SimpleConditionEvent.violated(
                                        d, d.getDescription() + ", outside " + parent + ".."));
                    }
                }
            }
        };
    }

    /** {@code a.b} for {@code a.b.internal} and {@code a.b.internal.c}. */
    static String parentOfInternal(String pkg) {
        String[] parts = pkg.split("\\.");
        StringBuilder parent = new StringBuilder();
        for (String part : parts) {
            if (part.equals("internal")) {
                return parent.toString();
            }
            parent.append(parent.length() == 0 ? "" : ".").append(part);
        }
        throw new IllegalArgumentException(pkg + " is not an internal package");
    }
}
