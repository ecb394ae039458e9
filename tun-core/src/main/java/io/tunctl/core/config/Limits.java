package io.tunctl.core.config;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/** Jackson's read limits (number and text length, nesting), said as a config's limits. */
final class Limits {
    private Limits() {}

    static String describe(StreamConstraintsException e) {
        StreamReadConstraints c = StreamReadConstraints.defaults();
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
