package io.tunctl.core.config;

import java.nio.file.Path;

/**
 * One thing wrong with a config file, located: printed as {@code file:line:col: field: reason}.
 *
 * @param file   the file (may be null for configs built in code)
 * @param line   1-based line, 0 when unknown
 * @param column 1-based column, 0 when unknown
 * @param field  dotted path of the field, e.g. {@code udp.peer} or {@code [0].clients[1].token}
 * @param reason what is wrong, in words a user can act on
 */
public record ConfigProblem(Path file, int line, int column, String field, String reason) {

    @Override
    public String toString() {
        String where = file == null ? "<config>" : file.toString();
        return where + ":" + line + ":" + column + ": " + (field == null || field.isEmpty() ? "(document)" : field)
                + ": " + reason;
    }
}
