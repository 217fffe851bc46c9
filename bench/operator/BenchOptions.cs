using System.Globalization;

namespace Isthmus.Operator.Bench;

/// <summary>Command line of the benchmark.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/operator -- [options]
          --tunnels N       IpsecTunnels to reconcile (default 1000)
          --nodes N         gateway nodes, tunnels spread evenly by nodeSelector (default 10)
          --workers N       operator reconcile workers (default 4)
          --in-process      run the operator in this process (reports GC heap, which then includes the API double)
                            instead of as an isthmus-operator process (reports that process's peak working set)
          --timeout SECONDS give up after this long per phase (default 600)
        """;

    public int Tunnels { get; init; } = 1000;

    public int Nodes { get; init; } = 10;

    public int Workers { get; init; } = 4;

    public bool InProcess { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int Positive(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"'{text}' is not a positive number");
            try
            {
                options = args[i] switch
                {
                    "--tunnels" => options with { Tunnels = Positive(Next()) },
                    "--nodes" => options with { Nodes = Positive(Next()) },
                    "--workers" => options with { Workers = Positive(Next()) },
                    "--in-process" => options with { InProcess = true },
                    "--timeout" => options with { Timeout = TimeSpan.FromSeconds(Positive(Next())) },
                    var other => throw new FormatException($"unknown option '{other}'"),
                };
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        return options;
    }
}
