namespace Isthmus.Operator.Runtime.Cache;

/// <summary>The API server no longer has the requested resourceVersion (HTTP 410 Gone): list again.</summary>
public sealed class ResourceVersionExpiredException(string message, Exception? inner = null) : Exception(message, inner);
