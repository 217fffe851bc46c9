using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.IntegrationTests.Scenarios;

/// <summary>Keeps the operator's log lines in memory so that a failed scenario can show them.</summary>
internal sealed class CapturedLogs : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Adds a line written by an operator process.</summary>
    public void Add(string source, string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} [{source}] {line}");
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception)}");
            while (owner._lines.Count > 2000)
            {
                owner._lines.TryDequeue(out _);
            }
        }
    }
}
