namespace Isthmus.Dpdk;

/// <summary>A DPDK call failed while setting up a device, pool or session (never on the packet path).</summary>
public sealed class DpdkException : Exception
{
    public DpdkException(string operation, int error)
        : base($"{operation} failed: {Interop.Eal.ErrorText(error)} ({error})")
    {
        Operation = operation;
        Error = error;
    }

    public DpdkException(string message)
        : base(message)
    {
        Operation = message;
    }

    /// <summary>The DPDK function or step that failed.</summary>
    public string Operation { get; }

    /// <summary>The negative errno or rte_errno DPDK returned, 0 when none.</summary>
    public int Error { get; }
}
