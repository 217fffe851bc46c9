namespace Isthmus.Dataplane.Cli;

/// <summary>
/// The parsed command line: a verb, <c>--name value</c> options (repeatable ones collected) and
/// flags. Parsing never throws; an unusable line yields <see cref="Error"/>.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);

    private CommandLine(string verb) => Verb = verb;

    public string Verb { get; }

    public string? Error { get; private set; }

    /// <summary>The arguments after a lone <c>--</c>, unparsed (EAL arguments for <c>serve --backend dpdk</c>).</summary>
    public IReadOnlyList<string> PassThrough { get; private set; } = [];

    /// <summary>The option names given, in no particular order.</summary>
    public IEnumerable<string> Names => options.Keys;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            return new CommandLine("help");
        }

        var line = new CommandLine(args[0]);
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                line.PassThrough = args.Skip(i + 1).ToArray();
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                line.Error = $"unexpected argument '{arg}'";
                return line;
            }

            string name = arg[2..];
            string value = "true";
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            if (!line.options.TryGetValue(name, out var values))
            {
                line.options[name] = values = [];
            }

            values.Add(value);
        }

        return line;
    }

    public string? Get(string name) => options.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => options.TryGetValue(name, out var values) ? values : [];

    public bool Has(string name) => options.ContainsKey(name);
}
