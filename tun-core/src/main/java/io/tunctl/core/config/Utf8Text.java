package io.tunctl.core.config;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Decodes a config file's bytes as UTF-8, or says where and why they are not. */
final class Utf8Text {
    private Utf8Text() {}

    static String decode(Path file, byte[] bytes) throws ConfigException {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            start = 3; // a UTF-8 byte-order mark, as some Windows editors write
        } else if (bytes.length >= 2 && ((bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff
                || (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe)) {
            throw new ConfigException(new ConfigProblem(file, 1, 1, "",
                    "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"));
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, (long) bytes.length + 1));
        CoderResult r = decoder.decode(in, out, true);
        if (r.isUnderflow()) r = decoder.flush(out);
        if (r.isError()) {
            int offset = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            // column in characters, as the parser counts them: every byte that does not continue a sequence
            int column = 1;
            for (int i = Math.max(lineStart, start); i < offset; i++) if ((bytes[i] & 0xc0) != 0x80) column++;
            throw new ConfigException(new ConfigProblem(file, line, column, "", String.format(
                    "byte 0x%02x at offset %d is not valid UTF-8; config files are read as UTF-8 (convert it, e.g. "
                            + "iconv -f latin1 -t utf-8)", bytes[offset] & 0xff, offset)));
        }
        return out.flip().toString();
    }
}
