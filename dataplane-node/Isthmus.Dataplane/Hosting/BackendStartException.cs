namespace Isthmus.Dataplane.Hosting;

/// <summary>A backend could not start: its options are unusable, or the device layer refused (the message says which and why; it never holds key material).</summary>
public sealed class BackendStartException : Exception
{
    public BackendStartException(string message)
        : base(message)
    {
    }

    public BackendStartException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
