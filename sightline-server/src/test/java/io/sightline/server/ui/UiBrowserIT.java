package io.sightline.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.ChildProcess;
import io.sightline.server.TestHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in Debian's Chromium (headless, through chromedriver and Selenium) against the packaged
 * jar with an hour of data and a firing alert: a query drawn as a chart, completion in the editor, a
 * dashboard built, saved and reloaded, its panel embedded alone, an alert silenced and the silence
 * expired. Screenshots of the main pages go to {@code target/ui-screenshots/}.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserIT {
    static Path tmp;
    static ChildProcess server;
    static String base;
    static Chromium browser;
    static WebDriver driver;
    static WebDriverWait wait;
    static String dashboardId;
    static String panelId;
    /** The newest imported sample's time, in seconds. */
    static long newest;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Chromium.CHROMIUM) && Files.isExecutable(Chromium.CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        tmp = Files.createTempDirectory("ui-it");
        Files.createDirectories(tmp.resolve("rules"));
        Files.writeString(tmp.resolve("rules/demo.yml"), """
                groups:
                  - name: demo
                    interval: 1s
                    rules:
                      - alert: DemoQueueFull
                        expr: vector(1)
                        labels: {severity: page, team: storage}
                        annotations: {summary: "the demo queue is full"}
                """);
        Files.writeString(tmp.resolve("sightline.yml"), """
                global:
                  evaluation_interval: 1s
                rule_files: ["rules/*.yml"]
                """);
        int port = TestHttp.freePort();
        Path jar = Path.of(System.getProperty("sightline.jar", "target/sightline.jar")).toAbsolutePath();
        assertThat(jar).as("run `mvn package` first").exists();
        server = ChildProcess.java(tmp, List.of("-Xmx256m", "-jar", jar.toString(), "server", "--config",
                tmp.resolve("sightline.yml").toString(), "--data-dir", tmp.resolve("data").toString(),
                "--http-address", "127.0.0.1:" + port));
        assertThat(server.waitForLine("Sightline is ready", 30_000)).as(server.all()).isTrue();
        base = "http://127.0.0.1:" + port;
        importHour();

        browser = new Chromium(tmp.resolve("chromium"));
        driver = browser.driver;
        wait = browser.wait;
    }

    /** Nearly an hour (what the head accepts behind now) of counters, a gauge and a histogram, 15 s apart. */
    static void importHour() {
        long now = System.currentTimeMillis() / 15_000 * 15_000;
        newest = now / 1000;
        StringBuilder b = new StringBuilder();
        double[] bounds = {0.05, 0.1, 0.25, 0.5, 1};
        for (int i = 230; i >= 0; i--) {
            long t = now - i * 15_000L;
            int k = 230 - i;
            b.append("demo_requests_total{path=\"/api\"} ").append(k * 30).append(' ').append(t).append('\n');
            b.append("demo_requests_total{path=\"/home\"} ").append(k * 12).append(' ').append(t).append('\n');
            b.append("demo_queue_depth ").append(40 + (k % 20)).append(' ').append(t).append('\n');
            for (int j = 0; j < bounds.length; j++) {
                b.append("demo_latency_seconds_bucket{le=\"").append(bounds[j]).append("\"} ").append(k * (j + 1) * 2)
                        .append(' ').append(t).append('\n');
            }
            b.append("demo_latency_seconds_bucket{le=\"+Inf\"} ").append(k * 12).append(' ').append(t).append('\n');
        }
        var r = TestHttp.send("POST", base + "/api/v1/import/prometheus", null, b.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static void shot(String name) throws IOException {
        browser.shot(name);
    }

    static long ink(String css) {
        return browser.ink(css);
    }

    static WebElement find(String css) {
        return browser.find(css);
    }

    static WebElement button(String text) {
        return browser.button(text);
    }

    @Test
    @Order(1)
    void explore_drawsTheQueryAsAChart_andShowsTheTable() throws Exception {
        driver.get(base + "/explore?q=" + java.net.URLEncoder.encode("rate(demo_requests_total[5m])", "UTF-8") + "&from=now-1h");
        WebElement chart = find(".chart[data-series='2']");
        assertThat(Integer.parseInt(chart.getAttribute("data-points"))).isGreaterThan(100);
        wait.until(d -> ink(".chart canvas") > 2_000);
        assertThat(driver.findElement(By.cssSelector(".stats")).getText()).startsWith("2 series");
        assertThat(driver.findElement(By.cssSelector(".u-legend")).getText()).contains("path=\"/api\"").contains("path=\"/home\"");
        shot("explore");

        // The table at the newest sample, where the rates are exact.
        driver.get(base + "/explore?tab=table&q=" + java.net.URLEncoder.encode("rate(demo_requests_total[5m])", "UTF-8")
                + "&from=now-1h&to=" + newest);
        wait.until(d -> d.findElements(By.cssSelector("table.data tbody tr")).size() == 2);
        java.util.Map<String, Double> rows = new java.util.HashMap<>();
        for (WebElement tr : driver.findElements(By.cssSelector("table.data tbody tr"))) {
            List<WebElement> td = tr.findElements(By.tagName("td"));
            rows.put(td.get(0).getText(), Double.parseDouble(td.get(1).getText()));
        }
        // 30 and 12 per 15 s; rate() drops the metric name.
        assertThat(rows).containsOnlyKeys("{path=\"/api\"}", "{path=\"/home\"}");
        assertThat(rows.get("{path=\"/api\"}")).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(rows.get("{path=\"/home\"}")).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(driver.getCurrentUrl()).contains("tab=table");
    }

    @Test
    @Order(2)
    void explore_showsTheApisErrors() {
        driver.get(base + "/explore?q=" + java.net.URLEncoder.encode("rate(demo_requests_total[5m]", java.nio.charset.StandardCharsets.UTF_8));
        WebElement error = find(".msg.error");
        assertThat(error.getText()).startsWith("Error:").contains("bad_data");
    }

    @Test
    @Order(3)
    void editor_completesMetricNamesLabelsAndValues() {
        driver.get(base + "/explore");
        WebElement editor = find("textarea.editor-input");
        editor.sendKeys("demo_req");
        WebElement list = find("ul.completions");
        assertThat(list.getText()).contains("demo_requests_total");
        editor.sendKeys(Keys.ENTER);
        wait.until(d -> editor.getAttribute("value").equals("demo_requests_total"));
        editor.sendKeys("{pa");
        wait.until(d -> d.findElements(By.cssSelector("ul.completions li")).stream().anyMatch(li -> li.getText().contains("path")));
        editor.sendKeys(Keys.TAB);
        editor.sendKeys("=\"/h");
        wait.until(d -> d.findElements(By.cssSelector("ul.completions li.active")).stream().anyMatch(li -> li.getText().contains("/home")));
        editor.sendKeys(Keys.ENTER);
        wait.until(d -> editor.getAttribute("value").equals("demo_requests_total{path=\"/home\""));
        // Highlighting: the metric name, the label and the string each in their own colour class.
        assertThat(driver.findElements(By.cssSelector(".editor-highlight .tok-labelName"))).hasSize(1);
        assertThat(driver.findElements(By.cssSelector(".editor-highlight .tok-string"))).hasSize(1);
        editor.sendKeys("}", Keys.ENTER);
        wait.until(d -> d.getCurrentUrl().contains("q=demo_requests_total"));
        find(".chart[data-series='1']");
    }

    @Test
    @Order(4)
    void dashboard_builtSavedAndReloaded_thenEmbedded() throws Exception {
        driver.get(base + "/dashboards");
        find("input[name=title]").sendKeys("Demo service");
        button("Create").click();
        wait.until(d -> d.getCurrentUrl().matches(".*/d/[a-z0-9_-]+\\?edit=1$"));
        dashboardId = driver.getCurrentUrl().replaceAll(".*/d/([^?]+)\\?.*", "$1");

        addPanel("Requests per second", "timeseries", "sum by (path) (rate(demo_requests_total[5m]))");
        addPanel("Queue depth", "stat", "demo_queue_depth");
        addPanel("Latency", "heatmap", "sum by (le) (rate(demo_latency_seconds_bucket[5m]))");

        // A modal dialog takes the focus, Escape closes it, and the focus goes back to its button.
        button("Settings").click();
        wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
                "return document.activeElement?.closest('dialog[open]') !== null")));
        assertThat(driver.switchTo().activeElement().getAttribute("name")).isEqualTo("dash-title");
        shot("dashboard-settings");
        driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(d -> d.findElements(By.cssSelector("dialog.modal")).isEmpty());
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Settings");

        button("Save").click();
        wait.until(d -> !d.getCurrentUrl().contains("edit=1"));

        driver.navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector("article.panel")).size() == 3);
        wait.until(d -> d.findElements(By.cssSelector(".panel-body[data-loaded='true']")).size() == 3);
        assertThat(driver.findElement(By.id("db-title")).getText()).isEqualTo("Demo service");
        WebElement ts = driver.findElement(By.xpath("//article[.//h2[text()='Requests per second']]"));
        panelId = ts.getAttribute("data-panel");
        wait.until(d -> ink("article[data-panel='" + panelId + "'] .chart canvas") > 1_000);
        String stat = driver.findElement(By.cssSelector(".stat-value")).getText();
        assertThat(Double.parseDouble(stat)).isBetween(40.0, 59.0);
        wait.until(d -> ink(".heatmap canvas") > 1_000);
        shot("dashboard");

        // The panel alone, as an <iframe> shows it.
        driver.get(base + "/embed/" + dashboardId + "/" + panelId + "?from=now-1h");
        find(".embed .chart[data-series='2']");
        wait.until(d -> ink(".embed .chart canvas") > 1_000);
        assertThat(driver.findElements(By.cssSelector("nav"))).isEmpty();
        assertThat(driver.findElement(By.id("embed-title")).getText()).isEqualTo("Requests per second");
        shot("embed");
    }

    static void addPanel(String title, String type, String expr) {
        button("Add panel").click();
        WebElement t = find("input[name=panel-title]");
        t.clear();
        t.sendKeys(title);
        new Select(driver.findElement(By.cssSelector("select[name=panel-type]"))).selectByValue(type);
        WebElement q = find(".modal textarea.editor-input");
        q.sendKeys(expr);
        // Out of the editor: its completions close (Escape would close the dialog when there are none).
        find("#pe-title").click();
        wait.until(d -> d.findElements(By.cssSelector(".completions")).isEmpty());
        driver.findElement(By.xpath("//dialog[contains(@class,'modal')]//button[normalize-space()='Apply']")).click();
        wait.until(d -> d.findElements(By.cssSelector(".modal")).isEmpty());
        wait.until(d -> d.findElements(By.xpath("//article//h2[text()='" + title + "']")).size() == 1);
    }

    @Test
    @Order(5)
    void alerts_silenceAFiringAlert_thenExpireTheSilence() throws Exception {
        driver.get(base + "/alerts");
        WebElement alert = wait.until(d -> d.findElements(By.cssSelector("li.alert.firing[data-alertname='DemoQueueFull']"))
                .stream().findFirst().orElse(null));
        assertThat(alert.getText()).contains("team=\"storage\"").contains("the demo queue is full");
        shot("alerts");
        alert.findElement(By.xpath(".//button[normalize-space()='Silence']")).click();
        find("input[name=createdBy]").sendKeys("ui-test");
        find("input[name=comment]").sendKeys("maintenance window");
        WebElement duration = find("input[name=duration]");
        duration.clear();
        duration.sendKeys("1h");
        button("Create silence").click();
        WebElement row = wait.until(d -> d.findElements(By.cssSelector("table.silences tr[data-silence]")).stream().findFirst().orElse(null));
        assertThat(row.findElement(By.cssSelector(".badge")).getText().toLowerCase(Locale.ROOT)).isEqualTo("active");
        assertThat(row.getText()).contains("alertname=\"DemoQueueFull\"").contains("ui-test").contains("maintenance window");
        String silences = TestHttp.get(base + "/api/v2/silences").body();
        assertThat(silences).contains("\"comment\":\"maintenance window\"").contains("\"state\":\"active\"");

        row.findElement(By.xpath(".//button[normalize-space()='Expire']")).click();
        wait.until(d -> d.findElements(By.cssSelector("table.silences tr[data-silence]")).isEmpty());
        assertThat(TestHttp.get(base + "/api/v2/silences").body()).contains("\"state\":\"expired\"");
    }

    @Test
    @Order(6)
    void targetsStatusAndThemes_render() throws Exception {
        driver.get(base + "/targets");
        find("#tg-title");
        shot("targets");
        driver.get(base + "/status");
        wait.until(d -> d.findElement(By.cssSelector("pre.config")).isDisplayed());
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("Build").contains("TSDB");
        shot("status");

        driver.get(base + "/explore?q=rate(demo_requests_total%5B5m%5D)&from=now-1h");
        find(".chart[data-series='2']");
        driver.findElement(By.cssSelector("button[aria-label='Use the dark theme']")).click();
        wait.until(d -> "dark".equals(d.findElement(By.tagName("html")).getAttribute("data-theme")));
        String bg = (String) ((JavascriptExecutor) driver).executeScript("return getComputedStyle(document.body).backgroundColor");
        assertThat(bg.toLowerCase(Locale.ROOT)).isEqualTo("rgb(17, 20, 24)");
        driver.navigate().refresh();
        wait.until(d -> "dark".equals(d.findElement(By.tagName("html")).getAttribute("data-theme")));
        shot("explore-dark");

        // Two panels side by side on a wide screen, one under the other on a phone, where nothing is
        // wider than the screen.
        var created = TestHttp.send("POST", base + "/api/v1/dashboards", null, """
                {"id": "side-by-side", "title": "Side by side", "time": {"from": "now-1h", "to": "now"}, "panels": [
                  {"id": "left", "title": "Left", "type": "stat", "queries": [{"expr": "demo_queue_depth"}],
                   "gridPos": {"x": 0, "y": 0, "w": 12, "h": 6}},
                  {"id": "right", "title": "Right", "type": "timeseries", "queries": [{"expr": "demo_queue_depth"}],
                   "gridPos": {"x": 12, "y": 0, "w": 12, "h": 6}}]}
                """);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        driver.get(base + "/d/side-by-side");
        wait.until(d -> d.findElements(By.cssSelector(".panel-body[data-loaded='true']")).size() == 2);
        Rectangle left = driver.findElement(By.cssSelector("article[data-panel='left']")).getRect();
        Rectangle right = driver.findElement(By.cssSelector("article[data-panel='right']")).getRect();
        assertThat(right.getY()).isEqualTo(left.getY());
        assertThat(right.getX()).isGreaterThanOrEqualTo(left.getX() + left.getWidth());

        driver.manage().window().setSize(new Dimension(390, 844));
        driver.navigate().refresh();
        wait.until(d -> d.findElements(By.cssSelector(".panel-body[data-loaded='true']")).size() == 2);
        Number overflow = (Number) ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
        assertThat(overflow.intValue()).isLessThanOrEqualTo(0);
        left = driver.findElement(By.cssSelector("article[data-panel='left']")).getRect();
        right = driver.findElement(By.cssSelector("article[data-panel='right']")).getRect();
        assertThat(right.getY()).isGreaterThanOrEqualTo(left.getY() + left.getHeight());
        assertThat(right.getX()).isEqualTo(left.getX());
        assertThat(left.getX() + left.getWidth()).isLessThanOrEqualTo(390);
        shot("dashboard-phone");
        driver.manage().window().setSize(new Dimension(1280, 900));
    }
}
