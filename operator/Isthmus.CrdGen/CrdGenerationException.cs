namespace Isthmus.CrdGen;

/// <summary>The C# types cannot be turned into a valid CRD; the message names the type or property.</summary>
public sealed class CrdGenerationException(string message) : Exception(message);
