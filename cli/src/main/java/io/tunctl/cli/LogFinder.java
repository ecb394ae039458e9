package io.tunctl.cli;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * tunctl's {@link System.LoggerFinder} (found by ServiceLoader through module-info): tunctl's modules log with
 * {@link System.Logger}, and each logger here writes straight through {@link Logging}. Nothing stands in between (no
 * java.util.logging, no SLF4J); SLF4J is set up only when Netty first logs, through {@link LogProvider}. Messages with
 * parameters are formatted as {@link System.Logger} specifies, by {@link MessageFormat} ({@code {0}}); TRACE, like
 * SLF4J's trace, is never written (tunctl's most detailed level is debug).
 */
public final class LogFinder extends System.LoggerFinder {
    /** Called by ServiceLoader. */
    public LogFinder() {}

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Log(name);
    }

    /** tunctl's level for a {@link System.Logger.Level}, or null for one never written (ALL, TRACE, OFF). */
    static Logging.Level level(System.Logger.Level level) {
        return switch (level) {
            case ALL, TRACE, OFF -> null;
            case DEBUG -> Logging.Level.DEBUG;
            case INFO -> Logging.Level.INFO;
            case WARNING -> Logging.Level.WARN;
            case ERROR -> Logging.Level.ERROR;
        };
    }

    private static final class Log implements System.Logger {
        private final String name;
        private final boolean netty;

        Log(String name) {
            this.name = name;
            this.netty = Logging.isNetty(name);
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            Logging.Level l = level(level);
            return l != null && Logging.enabled(netty, l);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            Logging.Level l = level(level);
            if (l != null && Logging.enabled(netty, l)) Logging.log(name, l, localized(bundle, msg), thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            Logging.Level l = level(level);
            if (l == null || !Logging.enabled(netty, l)) return;
            String pattern = localized(bundle, format);
            Logging.log(name, l, params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params),
                    null);
        }

        private static String localized(ResourceBundle bundle, String key) {
            if (bundle == null || key == null) return String.valueOf(key);
            try {
                return bundle.getString(key);
            } catch (MissingResourceException e) {
                return key;
            }
        }
    }
}
