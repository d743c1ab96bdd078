package org.camloss.runtime.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vavr.collection.Seq;
import io.vavr.control.Validation;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.camloss.runtime.registry.PluginRegistry;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads experiment configs: reads YAML (or JSON, for {@code .json} files), applies {@code --set}
 * overrides, validates every value against the registry's plugins (the built-in optimizers and schedules among them), and
 * fills in every default.
 *
 * <p>Nothing is built here and no factory's {@code create} is called. Every problem is collected before
 * anything fails, and one {@link ConfigException} reports them all, each naming where the value came from
 * (the file as the user named it, or {@code --set}), its config path, the rule, the value found and the
 * valid choices:
 * <pre>
 * experiment.yaml: train.epochs: must be in [1, 100000], found 0
 * experiment.yaml: trian: unknown key; did you mean 'train'? valid: [name, seed, data, ...]
 * </pre>
 *
 * <p>Layout and defaults:
 * <pre>
 * name: experiment                 # [A-Za-z0-9._-]+, names the run directory
 * seed: 0
 * data: { id: shapes }             # each component: { id: ..., params: {...} }; params default to
 * backbone: { id: resnet-cifar }   #   the declared defaults; an absent id takes the section's default
 * loss: { id: cam-loss }
 * regularizers: []                 # list of nodes
 * optimizer: { id: sgd }           # built in: sgd, adam
 * schedule: { id: cosine }         # built in: constant, cosine, step
 * train: { epochs: 8, batch_size: 128, threads: 0, progress: true }
 * distill: { teacher: runs/teacher, distillers: [ { id: caam-cam } ] }   # optional
 * </pre>
 * YAML is read as YAML means it ({@link YamlReader}): anchors and aliases give the anchored value, merge keys
 * ({@code <<: *base}) merge, and what a config cannot be — a tab where YAML indents or separates, a recursive alias, a
 * duplicate key, a second document — is refused with its line and column.
 * A key given with no value ({@code regularizers:}, {@code alpha:}) counts as absent. Overrides are {@code path=value}
 * with dotted paths ({@code loss.params.alpha=0.5}, {@code regularizers.0.id=label-smoothing}); the value
 * is parsed as YAML. Setting a node's {@code id} to another plugin drops the params it had so far.
 *
 * <p>Thread-safe; holds no state beyond the registry.
 */
public final class ConfigLoader {
    /** The source name that problems caused by {@code --set} overrides are reported under. */
    public static final String SET_SOURCE = Overrides.SOURCE;

    private final ConfigValidator validator;

    /** A loader that resolves plugin ids in {@code registry}. */
    public ConfigLoader(PluginRegistry registry) {
        this.validator = new ConfigValidator(Objects.requireNonNull(registry, "registry"));
    }

    /** {@link #load(Path, List)} without overrides. */
    public ExperimentConfig load(Path file) {
        return load(file, List.of());
    }

    /**
     * Reads {@code file} (YAML, or JSON when it ends in {@code .json}), applies {@code setOverrides} in
     * order, validates and resolves.
     *
     * @param setOverrides {@code path=value} strings as given to {@code --set}
     * @throws ConfigException listing every problem: unreadable or empty file, syntax error (with line and
     *                         column), malformed override, unknown key or id, invalid value
     */
    public ExperimentConfig load(Path file, List<String> setOverrides) {
        String source = file.toString();
        List<ConfigProblem> problems = new ArrayList<>();
        List<Overrides.Override> overrides = Overrides.parse(setOverrides, problems);
        Optional<Object> root = read(file, source, problems);
        if (root.isEmpty()) {
            throw new ConfigException(problems);
        }
        return resolve(root.get(), source, overrides, problems);
    }

    /** {@link #fromMap(Map, String, List)} without overrides. */
    public ExperimentConfig fromMap(Map<String, ?> raw, String sourceName) {
        return fromMap(raw, sourceName, List.of());
    }

    /**
     * Validates and resolves an already parsed config, such as {@link ExperimentConfig#toMap()} or an
     * empty map for "all defaults". {@code raw} is not modified.
     *
     * @param sourceName   what problems in {@code raw} are reported under, e.g. a file name
     * @param setOverrides {@code path=value} strings, applied in order before validation
     * @throws ConfigException listing every problem
     */
    public ExperimentConfig fromMap(Map<String, ?> raw, String sourceName, List<String> setOverrides) {
        Objects.requireNonNull(raw, "raw");
        List<ConfigProblem> problems = new ArrayList<>();
        List<Overrides.Override> overrides = Overrides.parse(setOverrides, problems);
        return resolve(raw, sourceName, overrides, problems);
    }

    @SuppressWarnings("unchecked")
    private ExperimentConfig resolve(
            Object root, String source, List<Overrides.Override> overrides, List<ConfigProblem> problems) {
        Object tree = Nodes.deepCopy(root);
        Set<String> touched = Set.of();
        if (tree instanceof Map<?, ?> map) {
            touched = Overrides.apply((Map<String, Object>) map, overrides, problems);
        }
        Validation<Seq<ConfigProblem>, ExperimentConfig> result = validator.validate(tree);
        if (result.isInvalid()) {
            for (ConfigProblem p : result.getError()) {
                // a rule between several values (path above an override) may involve the file's values too
                problems.add(p.withSource(
                        Overrides.fromOverride(p.path(), touched)
                                ? SET_SOURCE
                                : Overrides.touchesBelow(p.path(), touched) ? source + " and " + SET_SOURCE : source));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return result.get();
    }

    private static Optional<Object> read(Path file, String source, List<ConfigProblem> problems) {
        if (Files.isDirectory(file)) {
            problems.add(new ConfigProblem("", "is a directory, not a config file", source));
            return Optional.empty();
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            problems.add(new ConfigProblem("", "file not found: " + file.toAbsolutePath(), source));
            return Optional.empty();
        } catch (AccessDeniedException e) {
            problems.add(new ConfigProblem("", "cannot read file: permission denied", source));
            return Optional.empty();
        } catch (CharacterCodingException e) {
            problems.add(new ConfigProblem("", "cannot read file: not UTF-8 text", source));
            return Optional.empty();
        } catch (IOException e) {
            problems.add(new ConfigProblem("", "cannot read file: " + e, source));
            return Optional.empty();
        }
        boolean json = file.getFileName() != null
                && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        if (!json) {
            try {
                Object root = YamlReader.read(text);
                if (root == null) {
                    problems.add(new ConfigProblem("", "file is empty", source));
                    return Optional.empty();
                }
                return Optional.of(root);
            } catch (YamlReader.Problem e) {
                problems.add(new ConfigProblem(
                        "", e.syntax() ? "invalid YAML" + e.at() + ": " + e.getMessage() : e.getMessage(), source));
                return Optional.empty();
            }
        }
        ObjectMapper mapper = Mappers.JSON;
        try (JsonParser parser = mapper.createParser(text)) {
            Object root = parser.nextToken() == null ? null : mapper.readValue(parser, Object.class);
            if (root == null) {
                problems.add(new ConfigProblem("", "file is empty", source));
                return Optional.empty();
            }
            if (parser.nextToken() != null) {
                JsonLocation loc = parser.currentTokenLocation();
                problems.add(new ConfigProblem(
                        "",
                        "more content after the config at line " + loc.getLineNr() + ", column " + loc.getColumnNr()
                                + (json ? "" : "; a config is one YAML document"),
                        source));
                return Optional.empty();
            }
            return Optional.of(root);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String at = loc != null && loc.getLineNr() > 0
                    ? " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()
                    : "";
            problems.add(new ConfigProblem(
                    "", "invalid " + (json ? "JSON" : "YAML") + at + ": " + parseErrorMessage(e), source));
            return Optional.empty();
        } catch (IOException e) {
            problems.add(new ConfigProblem("", "cannot read file: " + e, source));
            return Optional.empty();
        }
    }

    /** A parser's complaint in one line, without location or source snippet. */
    static String parseErrorMessage(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblem() != null) {
            String message = y.getProblem();
            if (y.getContext() != null) {
                Mark m = y.getContextMark();
                message += " (" + y.getContext()
                        + (m == null
                                ? ""
                                : " that starts at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                        + ")";
            }
            return message;
        }
        String original =
                Objects.requireNonNullElse(e.getOriginalMessage(), e.getClass().getSimpleName());
        if (original.startsWith("Duplicate field '")) {
            return "duplicate key " + original.substring("Duplicate field ".length());
        }
        int nl = original.indexOf('\n');
        return nl < 0 ? original : original.substring(0, nl);
    }
}
