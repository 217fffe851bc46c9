using Isthmus.Operator.Runtime.Reconcile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Isthmus.Operator.Tests.Reconcile;

public sealed class ReconcileScopeTests
{
    private static string Format(string formatterName, Action<ILoggingBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(configure);
        using var provider = services.BuildServiceProvider();
        var formatter = provider.GetServices<ConsoleFormatter>().Single(f => f.Name == formatterName);
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push(new ReconcileScope("ipsectunnel", "default", "hq-to-branch"));
        using var text = new StringWriter();
        var entry = new LogEntry<string>(LogLevel.Information, "reconcile.ipsectunnel", new EventId(0), "Deployed node gw-a", null, (s, _) => s);
        formatter.Write(entry, scopes, text);
        return text.ToString();
    }

    [Fact]
    public void Text_logs_show_the_reconciled_object_not_a_type_name()
    {
        var line = Format(ConsoleFormatterNames.Simple, b => b.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
        }));

        Assert.Contains("=> ipsectunnel default/hq-to-branch", line);
        Assert.DoesNotContain("Dictionary", line);
        Assert.Contains("Deployed node gw-a", line);
    }

    [Fact]
    public void Json_logs_carry_the_scope_as_properties()
    {
        var line = Format(ConsoleFormatterNames.Json, b => b.AddJsonConsole(o => o.IncludeScopes = true));

        Assert.Contains("\"controller\":\"ipsectunnel\"", line);
        Assert.Contains("\"namespace\":\"default\"", line);
        Assert.Contains("\"name\":\"hq-to-branch\"", line);
    }
}
