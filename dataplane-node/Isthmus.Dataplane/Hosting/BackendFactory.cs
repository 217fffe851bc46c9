using Isthmus.Esp;

namespace Isthmus.Dataplane.Hosting;

/// <summary>
/// Settings handed to a backend constructor: the <c>serve</c> options other than <c>--socket</c> and
/// <c>--backend</c> (as <c>--name value</c> or <c>--backend-option name=value</c>), and the arguments
/// after <c>--</c> (EAL arguments for the DPDK backend).
/// </summary>
public sealed record BackendOptions(IReadOnlyDictionary<string, string> Settings, ILoggerFactory LoggerFactory)
{
    /// <summary>The command-line arguments after <c>--</c>, unchanged.</summary>
    public IReadOnlyList<string> PassThrough { get; init; } = [];
}

/// <summary>
/// Creates the packet backend named on the command line (<c>--backend managed|dpdk</c>). The
/// managed backend is built in; other engines register a constructor with <see cref="Register"/>.
/// </summary>
public sealed class BackendFactory
{
    private readonly Dictionary<string, Registration> constructors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A factory that knows the managed backend (which takes no settings).</summary>
    public static BackendFactory CreateDefault()
    {
        var factory = new BackendFactory();
        factory.Register("managed", _ => new ManagedEspBackend(), settings: []);
        return factory;
    }

    public IReadOnlyCollection<string> Names => constructors.Keys;

    /// <summary>
    /// Registers <paramref name="constructor"/> under <paramref name="name"/>. When
    /// <paramref name="settings"/> is given, <see cref="TryCreate"/> refuses any other setting name, so a
    /// mistyped option is reported instead of ignored.
    /// </summary>
    public BackendFactory Register(string name, Func<BackendOptions, IEspBackend> constructor, IReadOnlyCollection<string>? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(constructor);
        constructors[name] = new Registration(constructor, settings);
        return this;
    }

    /// <summary>
    /// Creates the named backend; returns null and an error for an unknown name or setting, or when
    /// the constructor refuses its settings or cannot start (<see cref="BackendStartException"/>).
    /// </summary>
    public IEspBackend? TryCreate(string name, BackendOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!constructors.TryGetValue(name, out var registration))
        {
            error = $"unknown backend '{name}' (known: {string.Join(", ", constructors.Keys.Order(StringComparer.Ordinal))})";
            return null;
        }

        if (registration.Settings is { } known)
        {
            string? unknown = options.Settings.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).FirstOrDefault();
            if (unknown is not null)
            {
                error = known.Count == 0
                    ? $"the {name} backend takes no option (got --{unknown})"
                    : $"the {name} backend has no option --{unknown} (known: {string.Join(", ", known.Order(StringComparer.Ordinal).Select(k => "--" + k))})";
                return null;
            }
        }

        try
        {
            error = string.Empty;
            return registration.Constructor(options);
        }
        catch (BackendStartException e)
        {
            error = e.Message;
            return null;
        }
    }

    private sealed record Registration(Func<BackendOptions, IEspBackend> Constructor, IReadOnlyCollection<string>? Settings);
}
