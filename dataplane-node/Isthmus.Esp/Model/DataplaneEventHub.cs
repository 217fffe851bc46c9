using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Isthmus.Esp;

/// <summary>
/// Fans dataplane events out to any number of readers, each with its own bounded queue (oldest
/// dropped when a reader lags). Backends publish from the packet path, which never blocks here.
/// </summary>
public sealed class DataplaneEventHub : IDisposable
{
    /// <summary>Events buffered per reader.</summary>
    public const int Capacity = 4096;

    private readonly Lock gate = new();
    private readonly List<Channel<DataplaneEvent>> readers = [];
    private bool disposed;

    /// <summary>Number of connected readers.</summary>
    public int ReaderCount
    {
        get
        {
            lock (gate)
            {
                return readers.Count;
            }
        }
    }

    /// <summary>Hands an event to every reader. Never blocks.</summary>
    public void Publish(DataplaneEvent dataplaneEvent)
    {
        lock (gate)
        {
            foreach (var reader in readers)
            {
                reader.Writer.TryWrite(dataplaneEvent);
            }
        }
    }

    /// <summary>Reads events published after the call, until cancelled or the hub is disposed.</summary>
    public async IAsyncEnumerable<DataplaneEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<DataplaneEvent>(new BoundedChannelOptions(Capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (gate)
        {
            if (disposed)
            {
                yield break;
            }

            readers.Add(channel);
        }

        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                if (!more)
                {
                    yield break;
                }

                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            lock (gate)
            {
                readers.Remove(channel);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            foreach (var reader in readers)
            {
                reader.Writer.TryComplete();
            }
        }
    }
}
