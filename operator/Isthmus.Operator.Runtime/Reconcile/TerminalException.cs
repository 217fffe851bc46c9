namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>
/// A failure that retrying cannot fix (the object itself must change): counted in the error metric and
/// logged, the key's backoff is reset, and the key is not requeued.
/// </summary>
public sealed class TerminalException(string message, Exception? inner = null) : Exception(message, inner);
