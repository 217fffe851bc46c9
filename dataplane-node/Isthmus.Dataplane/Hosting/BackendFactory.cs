using Isthmus.Esp;

namespace Isthmus.Dataplane.Hosting;

/// <summary>Settings handed to a backend constructor: free-form <c>--backend-option key=value</c> pairs from the command line.</summary>
public sealed record BackendOptions(IReadOnlyDictionary<string, string> Settings, ILoggerFactory LoggerFactory);

/// <summary>
/// Creates the packet backend named on the command line (<c>--backend managed|dpdk</c>). The
/// managed backend is built in; other engines register a constructor with <see cref="Register"/>.
/// </summary>
public sealed class BackendFactory
{
    private readonly Dictionary<string, Func<BackendOptions, IEspBackend>> constructors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A factory that knows the managed backend.</summary>
    public static BackendFactory CreateDefault()
    {
        var factory = new BackendFactory();
        factory.Register("managed", _ => new ManagedEspBackend());
        return factory;
    }

    public IReadOnlyCollection<string> Names => constructors.Keys;

    public BackendFactory Register(string name, Func<BackendOptions, IEspBackend> constructor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(constructor);
        constructors[name] = constructor;
        return this;
    }

    /// <summary>Creates the named backend; returns null and an error for an unknown name.</summary>
    public IEspBackend? TryCreate(string name, BackendOptions options, out string error)
    {
        if (!constructors.TryGetValue(name, out var constructor))
        {
            error = $"unknown backend '{name}' (known: {string.Join(", ", constructors.Keys.Order(StringComparer.Ordinal))})";
            return null;
        }

        error = string.Empty;
        return constructor(options);
    }
}
