package io.sightline.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sightline.server.auth.TokenAuthenticator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"", "server", "check", "check config", "check rules", "token", "token generate"})
    void help_onEveryCommand_exits0WithUsage(String command) {
        String[] args = (command.isEmpty() ? "--help" : command + " --help").split(" ");
        Run r = run(args);
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: sightline" + (command.isEmpty() ? "" : " " + command));
    }

    @ParameterizedTest(name = "{0} --version")
    @ValueSource(strings = {"", "server", "check", "check config", "check rules", "token", "token generate"})
    void version_onEveryCommand_exits0(String command) {
        String[] args = (command.isEmpty() ? "--version" : command + " --version").split(" ");
        Run r = run(args);
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("sightline ").contains("java ");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "server --bogus                      | Unknown option: '--bogus'",
        "--bogus                             | Unknown option: '--bogus'",
        "server --http-address nonsense      | Invalid value for option '--http-address': \"nonsense\" is not host:port",
        "server --http-address :99999        | Invalid value for option '--http-address': \":99999\": port 99999 is out of range",
        "server --log-format xml             | Invalid value for option '--log-format': \"xml\" is not logfmt or json",
        "server --log-level loud             | Invalid value for option '--log-level': \"loud\" is not one of debug, info, warn, error",
        "server --shutdown-timeout forever   | Invalid value for option '--shutdown-timeout': not a valid duration string",
        "server --config                     | Missing required parameter for option '--config'",
        "check config                        | Missing required parameter: 'FILE'",
        "token generate --scopes read,root   | Invalid value for option '--scopes': \"root\" is not read, write or admin",
        "frobnicate                          | Unmatched argument at index 0: 'frobnicate'",
        "''                                  | missing command: try 'sightline server'",
    })
    void badFlagsOrValues_exit2_withOneLineNamingTheFlag(String args, String message) {
        Run r = run(args.isEmpty() ? new String[0] : args.split(" "));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("sightline: error: ").contains(message).contains("--help' for more information.");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void checkConfig_goodAndBadFiles(@TempDir Path tmp) throws Exception {
        Path good = Files.writeString(tmp.resolve("good.yml"), "scrape_configs:\n  - job_name: a\n");
        Path bad = Files.writeString(tmp.resolve("bad.yml"), "global:\n  scrape_interval: 1x\n");
        Run ok = run("check", "config", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo(good + ": SUCCESS: 1 scrape configs, 0 rule file patterns, auth off\n");
        Run fail = run("check", "config", good.toString(), bad.toString());
        assertThat(fail.code()).isEqualTo(1);
        assertThat(fail.err()).isEqualTo("FAILED: " + bad + ":2:20: global.scrape_interval: not a valid duration string:"
                + " \"1x\" (expected e.g. 15s, 1m30s, 500ms, 2h, 1d, 1w)\n");
    }

    @Test
    void checkRules_likePromtool(@TempDir Path tmp) throws Exception {
        Path good = Files.writeString(tmp.resolve("good.yml"), """
                groups:
                  - name: g
                    rules:
                      - record: job:up:sum
                        expr: sum by (job) (up)
                      - alert: Down
                        expr: up == 0
                        for: 5m
                """);
        Path bad = Files.writeString(tmp.resolve("bad.yml"), """
                groups:
                  - name: g
                    rules:
                      - record: 1x
                        expr: up
                      - alert: Broken
                        expr: sum(
                """);
        Run ok = run("check", "rules", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).isEqualTo("Checking " + good + "\n  SUCCESS: 2 rules found\n");
        Run fail = run("check", "rules", good.toString(), bad.toString());
        assertThat(fail.code()).isEqualTo(1);
        assertThat(fail.err()).startsWith("  FAILED:\n" + bad + ":4:")
                .contains("invalid recording rule name: 1x").contains(bad + ":7:").contains("could not parse expression");
    }

    @Test
    void tokenGenerate_printsTokenAndMatchingHash() {
        Run r = run("token", "generate", "--name", "ci", "--scopes", "write,read");
        assertThat(r.code()).isZero();
        Matcher token = Pattern.compile("^token: (sl_[A-Za-z0-9_-]{43})$", Pattern.MULTILINE).matcher(r.out());
        assertThat(token.find()).as(r.out()).isTrue();
        assertThat(r.out()).contains("- name: ci\n")
                .contains("sha256: " + TokenAuthenticator.sha256Hex(token.group(1)) + "\n")
                .contains("scopes: [write, read]");
        Run again = run("token", "generate");
        assertThat(again.out()).doesNotContain(token.group(1));
    }
}
