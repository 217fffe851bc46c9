namespace Isthmus.Api.Manifests;

/// <summary>
/// A manifest could not be loaded. The message names the file, the document (1-based, counting the
/// documents of a multi-document file) and the field, and never contains a Secret's values.
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(string file, int? document, string? field, string reason)
        : base(Compose(file, document, field, reason))
    {
        File = file;
        Document = document;
        Field = field;
        Reason = reason;
    }

    /// <summary>The file (or path given to the loader) the error is in.</summary>
    public string File { get; }

    /// <summary>1-based index of the YAML document within the file, when known.</summary>
    public int? Document { get; }

    /// <summary>Dotted path of the field, e.g. <c>spec.ike.proposals[1]</c>, when known.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    private static string Compose(string file, int? document, string? field, string reason)
    {
        var location = file;
        if (document is { } d)
        {
            location += $": document {d}";
        }
        if (!string.IsNullOrEmpty(field))
        {
            location += $": field '{field}'";
        }
        return $"{location}: {reason}";
    }
}
