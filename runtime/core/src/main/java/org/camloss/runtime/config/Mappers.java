package org.camloss.runtime.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;

/** The Jackson mappers configs are read and written with; configured once, thread-safe. */
final class Mappers {
    /**
     * YAML: duplicate keys are errors; {@code yes}/{@code no}/{@code on}/{@code off} stay strings (only
     * {@code true}/{@code false} are booleans); strings are quoted only where needed, including any that
     * start like a number ({@code 0x10}, {@code 1e-3}) so they read back as strings.
     */
    static final ObjectMapper YAML = YAMLMapper.builder(
                    YAMLFactory.builder().stringQuotingChecker(new Quoting()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build();

    /** JSON: duplicate keys are errors; output is indented. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Mappers() {}

    /** Jackson's minimal quoting, plus quotes for every string that starts like a number. */
    private static final class Quoting extends StringQuotingChecker.Default {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean needToQuoteValue(String value) {
            if (super.needToQuoteValue(value)) {
                return true;
            }
            char c = value.isEmpty() ? ' ' : value.charAt(0);
            return Character.isDigit(c) || c == '+' || c == '-' || c == '.';
        }
    }
}
