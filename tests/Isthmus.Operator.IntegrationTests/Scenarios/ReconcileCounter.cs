using System.Diagnostics.Metrics;

namespace Isthmus.Operator.IntegrationTests.Scenarios;

/// <summary>Counts the operator's <c>isthmus.operator.reconcile.total</c> measurements in this process.</summary>
internal sealed class ReconcileCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public ReconcileCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "isthmus.operator.reconcile.total")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
