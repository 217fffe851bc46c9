using System.Diagnostics;
using System.Diagnostics.Metrics;
using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Runtime.Reconcile;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Telemetry;

/// <summary>
/// The operator's OpenTelemetry instruments (meter and activity source <c>Isthmus.Operator</c>):
/// <list type="bullet">
/// <item><c>isthmus.operator.reconcile.duration</c> (histogram, s; tags controller, outcome)</item>
/// <item><c>isthmus.operator.reconcile.total</c> and <c>isthmus.operator.reconcile.errors</c> (counters; tags controller, outcome)</item>
/// <item><c>isthmus.operator.queue.depth</c> (gauge: keys waiting, and keys waiting for a delayed requeue)</item>
/// <item><c>isthmus.operator.tunnels</c> (gauge: tunnels per condition type and status)</item>
/// </list>
/// Reconciles are traced as spans <c>reconcile ipsectunnel</c> with the tunnel's namespace and name.
/// </summary>
public sealed class OperatorTelemetry : IControllerMetrics, IDisposable
{
    public const string Name = "Isthmus.Operator";

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _total;
    private readonly Counter<long> _errors;

    public OperatorTelemetry(Func<(int Ready, int Delayed)> queueDepth, Func<IEnumerable<V1Alpha1IpsecTunnel>> tunnels)
    {
        _meter = new Meter(Name);
        ActivitySource = new ActivitySource(Name);
        _duration = _meter.CreateHistogram<double>("isthmus.operator.reconcile.duration", "s", "Time taken by one reconcile");
        _total = _meter.CreateCounter<long>("isthmus.operator.reconcile.total", "{reconcile}", "Reconciles by outcome");
        _errors = _meter.CreateCounter<long>("isthmus.operator.reconcile.errors", "{reconcile}", "Reconciles that failed (retried or terminal)");
        _meter.CreateObservableGauge("isthmus.operator.queue.depth", () =>
        {
            var (ready, delayed) = queueDepth();
            return new[]
            {
                new Measurement<int>(ready, new KeyValuePair<string, object?>("state", "ready")),
                new Measurement<int>(delayed, new KeyValuePair<string, object?>("state", "delayed")),
            };
        }, "{key}", "Keys in the work queue");
        _meter.CreateObservableGauge("isthmus.operator.tunnels", () => CountByCondition(tunnels()), "{tunnel}", "IpsecTunnels by condition type and status");
    }

    public ActivitySource ActivitySource { get; }

    public void RecordReconcile(string controller, ReconcileOutcome outcome, TimeSpan duration)
    {
        var tags = new TagList { { "controller", controller }, { "outcome", outcome.ToString() } };
        _duration.Record(duration.TotalSeconds, tags);
        _total.Add(1, tags);
        if (outcome is ReconcileOutcome.Error or ReconcileOutcome.TerminalError)
        {
            _errors.Add(1, tags);
        }
    }

    /// <summary>Tunnels per (condition type, status); a tunnel without the condition counts as Unknown.</summary>
    public static IEnumerable<Measurement<int>> CountByCondition(IEnumerable<V1Alpha1IpsecTunnel> tunnels)
    {
        var counts = new Dictionary<(string, string), int>();
        foreach (var type in ConditionTypes.All)
        {
            foreach (var status in Enum.GetNames<V1Alpha1ConditionStatus>())
            {
                counts[(type, status)] = 0;
            }
        }
        foreach (var tunnel in tunnels)
        {
            foreach (var type in ConditionTypes.All)
            {
                var status = Conditions.Find(tunnel.Status?.Conditions, type)?.Status ?? V1Alpha1ConditionStatus.Unknown;
                counts[(type, status.ToString())]++;
            }
        }
        return counts.Select(p => new Measurement<int>(p.Value,
            new KeyValuePair<string, object?>("condition", p.Key.Item1),
            new KeyValuePair<string, object?>("status", p.Key.Item2)));
    }

    public void Dispose()
    {
        _meter.Dispose();
        ActivitySource.Dispose();
    }
}
