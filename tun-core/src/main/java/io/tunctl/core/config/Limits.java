package io.tunctl.core.config;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/** Jackson's read limits (number and text length, nesting), said as a config's limits. */
final class Limits {
    private Limits() {}

    /**
     * How deep a config may nest. Every config format tunctl reads is a few levels deep; Jackson's default of 1000
     * let a 2 KB file of nested brackets make the location walk (a JSON pointer per value, as long as its depth)
     * allocate 19 MB, quadratic in the depth (ConfigDocumentFuzzer, in the campaign).
     */
    static final int MAX_DEPTH = 64;

    /** Jackson's defaults but for the nesting depth. */
    static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.defaults().rebuild()
            .maxNestingDepth(MAX_DEPTH).build();

    static String describe(StreamConstraintsException e) {
        StreamReadConstraints c = CONSTRAINTS;
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("Number value length") || m.contains("Number length")) {
            return "number too long: at most " + c.getMaxNumberLength() + " digits";
        }
        if (m.startsWith("String value length") || m.contains("String length")) {
            return "text too long: at most " + c.getMaxStringLength() + " characters";
        }
        if (m.contains("nesting depth")) return "nested too deep: at most " + c.getMaxNestingDepth() + " levels";
        if (m.contains("Name length")) return "field name too long: at most " + c.getMaxNameLength() + " characters";
        if (m.contains("Document length")) return "file too long";
        return "value beyond the reader's limits";
    }
}
