using Microsoft.Extensions.Logging;

namespace Isthmus.IkeDaemon.Status;

/// <summary>Lets components written for <see cref="ILogger"/> (Isthmus.KubeClient's event recorder) write to the daemon's <see cref="Log"/>.</summary>
public sealed class DaemonLogger(Log log, string scope) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var message = formatter(state, exception);
        switch (logLevel)
        {
            case LogLevel.Information:
                log.Info(scope, message);
                break;
            case LogLevel.Warning:
                log.Warn(scope, message);
                break;
            default:
                log.Error(scope, message);
                break;
        }
    }
}
