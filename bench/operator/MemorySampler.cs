using System.Diagnostics;
using System.Globalization;

namespace Isthmus.Operator.Bench;

/// <summary>
/// Samples memory every 50 ms: of an operator process (resident set from <c>/proc/PID/status</c>; the kernel's
/// VmHWM is read at the end as the exact peak), or of this process (working set and GC heap).
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable, IDisposable
{
    private readonly Process? _process;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(Process? process)
    {
        _process = process;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Sample();
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public long PeakWorkingSetBytes { get; private set; }

    public long PeakGcHeapBytes { get; private set; }

    /// <summary>The kernel's peak resident set (VmHWM) of the operator process, when there is one.</summary>
    public long? KernelPeakBytes => _process is null ? null : ReadStatus(_process.Id, "VmHWM:");

    private void Sample()
    {
        if (_process is null)
        {
            PeakWorkingSetBytes = Math.Max(PeakWorkingSetBytes, Environment.WorkingSet);
            PeakGcHeapBytes = Math.Max(PeakGcHeapBytes, GC.GetGCMemoryInfo().HeapSizeBytes);
            PeakGcHeapBytes = Math.Max(PeakGcHeapBytes, GC.GetTotalMemory(forceFullCollection: false));
        }
        else if (ReadStatus(_process.Id, "VmRSS:") is { } rss)
        {
            PeakWorkingSetBytes = Math.Max(PeakWorkingSetBytes, rss);
        }
    }

    private static long? ReadStatus(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kb = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    public void Dispose() => _stop.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        Sample();
        await _stop.CancelAsync();
        await _loop;
    }
}
