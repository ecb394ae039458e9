package io.tunctl.cli;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.Serial;
import java.util.concurrent.ConcurrentHashMap;

/**
 * tunctl's SLF4J provider (found by ServiceLoader through module-info): every logger writes through {@link Logging},
 * whose levels and sinks {@code Logging.configure} sets. SLF4J's TRACE is never written (tunctl's most detailed level
 * is debug); MDC is not kept (no line format shows it).
 */
public final class LogProvider implements SLF4JServiceProvider {
    private final ILoggerFactory loggers = new Loggers();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** Called by ServiceLoader. */
    public LogProvider() {}

    @Override public ILoggerFactory getLoggerFactory() { return loggers; }
    @Override public IMarkerFactory getMarkerFactory() { return markers; }
    @Override public MDCAdapter getMDCAdapter() { return mdc; }
    @Override public String getRequestedApiVersion() { return "2.0.99"; }
    @Override public void initialize() {}

    private static final class Loggers implements ILoggerFactory {
        private final ConcurrentHashMap<String, Log> loggers = new ConcurrentHashMap<>();

        @Override
        public org.slf4j.Logger getLogger(String name) {
            Log log = loggers.get(name);
            return log != null ? log : loggers.computeIfAbsent(name, Log::new);
        }
    }

    private static final class Log extends LegacyAbstractLogger {
        @Serial private static final long serialVersionUID = 1L;
        private final boolean netty;

        Log(String name) {
            this.name = name;
            this.netty = Logging.isNetty(name);
        }

        @Override public boolean isTraceEnabled() { return false; }
        @Override public boolean isDebugEnabled() { return Logging.enabled(netty, Logging.Level.DEBUG); }
        @Override public boolean isInfoEnabled() { return Logging.enabled(netty, Logging.Level.INFO); }
        @Override public boolean isWarnEnabled() { return Logging.enabled(netty, Logging.Level.WARN); }
        @Override public boolean isErrorEnabled() { return Logging.enabled(netty, Logging.Level.ERROR); }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable thrown) {
            Logging.Level l = switch (level) {
                case TRACE -> null;
                case DEBUG -> Logging.Level.DEBUG;
                case INFO -> Logging.Level.INFO;
                case WARN -> Logging.Level.WARN;
                case ERROR -> Logging.Level.ERROR;
            };
            if (l == null) return;
            String message = arguments == null || arguments.length == 0 ? String.valueOf(pattern)
                    : MessageFormatter.basicArrayFormat(pattern, arguments);
            Logging.log(name, l, message, thrown);
        }
    }
}
