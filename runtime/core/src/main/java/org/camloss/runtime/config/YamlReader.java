package org.camloss.runtime.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads one YAML document into plain maps, lists and scalars, as YAML means it, with SnakeYAML (which Jackson's YAML
 * support is built on, but which Jackson reads without anchors: it turned {@code *base} into the string
 * {@code "base"} and {@code <<:} into a key named {@code <<}).
 *
 * <ul>
 *   <li><b>Anchors and aliases</b> ({@code &base}, {@code *base}) give the anchored value; a collection that contains
 *       its own alias is refused (a config is a tree).</li>
 *   <li><b>Merge keys</b> ({@code <<: *base}, {@code <<: [*a, *b]}) merge the mappings in, keys written beside them
 *       winning, as YAML 1.1 defines them.</li>
 *   <li><b>Tabs</b> may stand inside values and before comments; YAML allows no tab where it indents or separates
 *       (SnakeYAML also refuses one after {@code :} or {@code ,}, which YAML 1.2 would allow): refused with its line
 *       and column.</li>
 *   <li><b>Scalars</b>: {@code true}/{@code false} (any case of the first letter, or all capitals) are booleans
 *       and {@code yes}/{@code no}/{@code on}/{@code off} stay strings; integers (decimal, {@code 0x}, {@code 0b},
 *       leading-zero octal, {@code _} separators) and floats ({@code 1e-3}, {@code 5.0e-4}, {@code .inf},
 *       {@code .nan}); {@code null}, {@code ~} and nothing are null; everything else — dates and {@code 1:20}
 *       included — is a string. These are the types Jackson gave before, so existing configs read the same.</li>
 *   <li>Duplicate keys and a second document are refused.</li>
 * </ul>
 * Every refusal is a {@link Problem} with the line and column (1-based) where it is.
 */
final class YamlReader {
    private YamlReader() {}

    /** A YAML text that cannot be read: where and why. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;
        private final int column;
        private final boolean syntax;

        Problem(int line, int column, String message) {
            this(line, column, message, true);
        }

        Problem(int line, int column, String message, boolean syntax) {
            super(message);
            this.line = line;
            this.column = column;
            this.syntax = syntax;
        }

        /**
         * Whether the text is not valid YAML (the message then says only what is wrong; {@link #at()} says where);
         * false for valid YAML that a config cannot be, such as two documents (the message says where itself).
         */
        boolean syntax() {
            return syntax;
        }

        /** 1-based line, or 0 when unknown. */
        int line() {
            return line;
        }

        /** 1-based column, or 0 when unknown. */
        int column() {
            return column;
        }

        /** " at line L, column C" or empty. */
        String at() {
            return line > 0 ? " at line " + line + ", column " + column : "";
        }
    }

    /**
     * The document in {@code text}, or null when there is none (empty, or comments only).
     *
     * @throws Problem for invalid YAML, a second document, duplicate keys and recursive aliases
     */
    static Object read(String text) throws Problem {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        Constructor constructor = new Constructor(options);
        DumperOptions dumper = new DumperOptions();
        Yaml yaml = new Yaml(constructor, new Representer(dumper), dumper, options, new ConfigResolver());
        try {
            Iterator<Node> documents = yaml.composeAll(new StringReader(text)).iterator();
            if (!documents.hasNext()) {
                return null;
            }
            Node root = documents.next();
            if (documents.hasNext()) {
                Mark m = documents.next().getStartMark();
                throw new Problem(
                        m.getLine() + 1,
                        m.getColumn() + 1,
                        "more content after the config at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)
                                + "; a config is one YAML document",
                        false);
            }
            refuseCycles(root, Collections.newSetFromMap(new IdentityHashMap<>()));
            return constructor.construct(root);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = m == null ? 0 : m.getLine() + 1;
            int column = m == null ? 0 : m.getColumn() + 1;
            throw new Problem(line, column, message(e));
        } catch (YAMLException e) {
            throw new Problem(0, 0, firstLine(e.getMessage()));
        }
    }

    /** A collection reached again through one of its own aliases. */
    private static void refuseCycles(Node node, Set<Node> open) throws Problem {
        List<Node> children = new ArrayList<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                children.add(t.getKeyNode());
                children.add(t.getValueNode());
            }
        } else if (node instanceof SequenceNode s) {
            children.addAll(s.getValue());
        } else {
            return;
        }
        if (!open.add(node)) {
            Mark m = node.getStartMark();
            throw new Problem(
                    m.getLine() + 1,
                    m.getColumn() + 1,
                    "the collection at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)
                            + " contains an alias of itself; a config cannot be recursive",
                    false);
        }
        for (Node child : children) {
            refuseCycles(child, open);
        }
        open.remove(node);
    }

    /** The parser's complaint in one line, with its context; a tab is explained. */
    private static String message(MarkedYAMLException e) {
        String problem = e.getProblem() == null ? firstLine(e.getMessage()) : e.getProblem();
        if (problem.contains("\\t(TAB)")) {
            return "a tab character, where YAML allows only spaces (to indent, and after ':', ',' and '-'); "
                    + "replace it with spaces";
        }
        if (problem.startsWith("found duplicate key ")) {
            return "duplicate key '" + problem.substring("found duplicate key ".length()) + "'";
        }
        if (e.getContext() != null && !(e.getContext().startsWith("while constructing"))) {
            Mark m = e.getContextMark();
            problem += " (" + e.getContext()
                    + (m == null ? "" : " that starts at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    + ")";
        }
        return problem;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable YAML";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** SnakeYAML's safe constructor, constructing from an already composed node. */
    private static final class Constructor extends SafeConstructor {
        Constructor(LoaderOptions options) {
            super(options);
        }

        Object construct(Node root) {
            return constructDocument(root);
        }
    }

    /** The scalar types of a config (see the class comment): YAML 1.1 without its yes/no booleans, times and dates. */
    private static final class ConfigResolver extends Resolver {
        static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
        static final Pattern INT = Pattern.compile("^(?:[-+]?0b_*[0-1]+[0-1_]*|[-+]?0_*[0-7]+[0-7_]*"
                + "|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F]+[0-9a-fA-F_]*)$");
        static final Pattern FLOAT = Pattern.compile("^(?:[-+]?(?:\\.[0-9]+|[0-9_]+(?:\\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
                + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");

        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, BOOL, "tTfF", 10);
            addImplicitResolver(Tag.INT, INT, "-+0123456789");
            addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
            addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
            addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
            addImplicitResolver(Tag.NULL, EMPTY, null, 10);
        }
    }
}
