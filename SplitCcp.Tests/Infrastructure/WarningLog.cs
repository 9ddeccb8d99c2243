using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>Warnings and errors a host's services log, by category; add it to the host's services as an <see cref="ILoggerProvider"/>.</summary>
internal sealed class WarningLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> _entries = new();

    /// <summary>What <typeparamref name="T"/>'s logger said at warning level or above.</summary>
    public List<string> From<T>() =>
        _entries.Where(e => e.Category == typeof(T).FullName).Select(e => e.Message).ToList();

    /// <summary>Every error and critical entry, whoever logged it, as "category: message".</summary>
    public List<string> Errors() =>
        _entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((category, logLevel, formatter(state, exception)));
            }
        }
    }
}
