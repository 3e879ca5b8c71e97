package io.sightline.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.sightline.common.archfixture.CommonThatImportsServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of ARCHITECTURE.md, checked on the compiled main classes of every module: common
 * -> engines -> server, and inside the server, cli -> lifecycle -> http -> auth/config/metrics. Modules
 * that do not exist yet are optional layers, so their rules start to bite the day they arrive.
 */
class LayeringTest {
    static JavaClasses mainClasses;

    @BeforeAll
    static void importClasses() {
        mainClasses = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sightline");
    }

    static final ArchRule COMMON_IS_JDK_ONLY = classes().that().resideInAPackage("io.sightline.common..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.net.ssl..", "io.sightline.common..")
            .because("sightline-common is JDK only, so every engine can use it without pulling anything in");

    static final ArchRule DASHBOARDS_ARE_FILES_AND_JSON = classes().that().resideInAPackage("io.sightline.server.dashboards..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..", "org.slf4j..",
                    "io.sightline.server.dashboards..")
            .because("the dashboard model and store are plain JDK and Jackson; their HTTP endpoints live in the query package");

    static final ArchRule NOTHING_BUT_THE_SERVER_KNOWS_THE_SERVER = noClasses()
            .that().resideOutsideOfPackage("io.sightline.server..")
            .should().dependOnClassesThat().resideInAPackage("io.sightline.server..")
            .because("the server is the only composition root; engines never import it");

    static final ArchRule MODULES = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("common").definedBy("io.sightline.common..")
            .layer("tsdb").definedBy("io.sightline.tsdb..")
            .layer("promql").definedBy("io.sightline.promql..")
            .layer("ingest").definedBy("io.sightline.ingest..")
            .layer("scrape").definedBy("io.sightline.scrape..")
            .layer("alerting").definedBy("io.sightline.alerting..")
            .layer("records").definedBy("io.sightline.records..")
            .layer("cluster").definedBy("io.sightline.cluster..")
            .layer("server").definedBy("io.sightline.server..")
            .whereLayer("server").mayNotBeAccessedByAnyLayer()
            .whereLayer("cluster").mayOnlyBeAccessedByLayers("server")
            .whereLayer("alerting").mayOnlyBeAccessedByLayers("server")
            .whereLayer("records").mayOnlyBeAccessedByLayers("server", "alerting", "cluster")
            .whereLayer("scrape").mayOnlyBeAccessedByLayers("server")
            .whereLayer("ingest").mayOnlyBeAccessedByLayers("server", "scrape", "cluster")
            .whereLayer("promql").mayOnlyBeAccessedByLayers("server", "alerting")
            .whereLayer("tsdb").mayOnlyBeAccessedByLayers("server", "promql", "ingest", "scrape", "alerting", "cluster");

    static final ArchRule SERVER_PACKAGES = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("cli").definedBy("io.sightline.server.cli..")
            .layer("lifecycle").definedBy("io.sightline.server.lifecycle..")
            .layer("http").definedBy("io.sightline.server.http..")
            .layer("auth").definedBy("io.sightline.server.auth..")
            .layer("config").definedBy("io.sightline.server.config..")
            .layer("metrics").definedBy("io.sightline.server.metrics..")
            .layer("ingest").definedBy("io.sightline.server.ingest..")
            .layer("logging").definedBy("io.sightline.server.logging..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("lifecycle").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("http").mayOnlyBeAccessedByLayers("lifecycle", "cli", "ingest")
            .whereLayer("ingest").mayOnlyBeAccessedByLayers("lifecycle", "cli")
            .whereLayer("metrics").mayOnlyBeAccessedByLayers("http", "lifecycle", "cli")
            .whereLayer("logging").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("auth").mayOnlyBeAccessedByLayers("config", "http", "lifecycle", "cli")
            .whereLayer("config").mayOnlyBeAccessedByLayers("auth", "http", "lifecycle", "cli");

    @Test
    void common_dependsOnlyOnTheJdk() {
        COMMON_IS_JDK_ONLY.check(mainClasses);
    }

    @Test
    void dashboards_dependOnlyOnTheJdkAndJackson() {
        DASHBOARDS_ARE_FILES_AND_JSON.check(mainClasses);
    }

    @Test
    void noEngine_importsTheServer() {
        NOTHING_BUT_THE_SERVER_KNOWS_THE_SERVER.check(mainClasses);
    }

    @Test
    void modules_dependOneWay() {
        MODULES.check(mainClasses);
    }

    @Test
    void serverPackages_dependOneWay() {
        SERVER_PACKAGES.check(mainClasses);
    }

    /** The rules are not vacuous: a class that breaks them is caught. */
    @Test
    void rules_catchAViolation() {
        JavaClasses withViolation = new ClassFileImporter().importClasses(CommonThatImportsServer.class);
        assertThatThrownBy(() -> COMMON_IS_JDK_ONLY.check(withViolation)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("CommonThatImportsServer");
        assertThatThrownBy(() -> NOTHING_BUT_THE_SERVER_KNOWS_THE_SERVER.check(withViolation))
                .isInstanceOf(AssertionError.class).hasMessageContaining("StartupException");
    }
}
