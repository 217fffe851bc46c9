using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>What one helm command printed and how it ended.</summary>
internal sealed record HelmResult(IReadOnlyList<string> Arguments, int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    public override string ToString() => $"helm {string.Join(' ', Arguments)} exited {ExitCode}\n{Error}";
}

/// <summary>
/// Runs the real helm (<see cref="KubernetesTools.Helm"/>) on charts/isthmus, offline: <c>helm template</c>,
/// <c>helm lint --strict</c> and <c>helm show crds</c>, as release <see cref="ReleaseName"/> in
/// <see cref="Namespace"/> on Kubernetes <see cref="KubeVersion"/>. Values are given as <c>--set</c> arguments
/// (<c>"dataplane.enabled=false"</c>). Results are cached per command line: the chart does not change during a run.
/// </summary>
internal static class Helm
{
    public const string ReleaseName = "isthmus";
    public const string Namespace = "isthmus-system";
    public const string KubeVersion = "1.32.0";

    /// <summary>A valid WAN next-hop address: the one value the chart requires while the dataplane is enabled.</summary>
    public const string CipherNextHopMac = "dataplane.cipherNextHopMac=02:00:5e:00:01:01";

    private static readonly ConcurrentDictionary<string, Lazy<HelmResult>> Cache = new();

    public static string ChartDirectory => RepositoryPaths.Chart;

    /// <summary><c>helm template</c> with these <c>--set</c> values (and any other flags starting with <c>--</c>).</summary>
    public static HelmResult TryTemplate(params string[] sets) =>
        Run(["template", ReleaseName, ChartDirectory, "--namespace", Namespace, "--kube-version", KubeVersion, .. SetArguments(sets)]);

    /// <summary>The documents <c>helm template</c> renders with these values; fails the test if helm refuses them.</summary>
    public static Rendered Template(params string[] sets)
    {
        var result = TryTemplate(sets);
        Assert.True(result.Succeeded, result.ToString());
        return new Rendered(YamlDocuments.Parse(result.Output).OfType<JsonObject>().ToList());
    }

    /// <summary><c>helm lint --strict</c> with these values.</summary>
    public static HelmResult Lint(params string[] sets) =>
        Run(["lint", ChartDirectory, "--strict", "--namespace", Namespace, "--kube-version", KubeVersion, .. SetArguments(sets)]);

    /// <summary><c>helm show crds</c>: the CRDs a user applies before <c>helm upgrade</c>.</summary>
    public static HelmResult ShowCrds() => Run(["show", "crds", ChartDirectory]);

    /// <summary>
    /// templates/NOTES.txt as <c>helm install</c> would print it with these values. <c>helm template</c> does not render
    /// notes and <c>helm install --dry-run</c> needs a cluster, so a copy of the chart carries the notes as a file
    /// and one extra template that renders it with helm's own <c>tpl</c>.
    /// </summary>
    public static string Notes(params string[] sets)
    {
        var copy = Directory.CreateTempSubdirectory("isthmus-chart-notes-");
        try
        {
            CopyDirectory(ChartDirectory, copy.FullName);
            File.Copy(Path.Combine(copy.FullName, "templates", "NOTES.txt"), Path.Combine(copy.FullName, "notes.txt"));
            File.WriteAllText(Path.Combine(copy.FullName, "templates", "zz-notes.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: notes
                data:
                  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}
                """);
            var result = Run(["template", ReleaseName, copy.FullName, "--namespace", Namespace, "--kube-version", KubeVersion,
                "--show-only", "templates/zz-notes.yaml", .. SetArguments(sets)], cache: false);
            Assert.True(result.Succeeded, result.ToString());
            return YamlDocuments.Parse(result.Output).OfType<JsonObject>().Single()["data"]!["notes"]!.GetValue<string>();
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> SetArguments(IEnumerable<string> sets) =>
        sets.SelectMany(s => s.StartsWith("--", StringComparison.Ordinal) ? [s] : new[] { "--set", s });

    private static HelmResult Run(string[] args, bool cache = true)
    {
        var helm = KubernetesTools.Helm;
        if (!cache)
        {
            return Execute(helm, args);
        }
        return Cache.GetOrAdd(string.Join('\0', args), _ => new Lazy<HelmResult>(() => Execute(helm, args))).Value;
    }

    private static HelmResult Execute(string helm, string[] args)
    {
        var start = new ProcessStartInfo(helm) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // Offline and independent of the user's helm set-up: no kubeconfig, no repositories, no plugins.
        var home = Path.Combine(AppContext.BaseDirectory, "helm-home");
        start.Environment["HELM_CACHE_HOME"] = Path.Combine(home, "cache");
        start.Environment["HELM_CONFIG_HOME"] = Path.Combine(home, "config");
        start.Environment["HELM_DATA_HOME"] = Path.Combine(home, "data");
        start.Environment["KUBECONFIG"] = Path.Combine(home, "no-kubeconfig");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"helm {string.Join(' ', args)} did not finish within 120 s");
        }
        return new HelmResult(args, process.ExitCode, output.Result, error.Result);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
