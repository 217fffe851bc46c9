namespace Isthmus.Api.Schema;

/// <summary>A regular expression (ECMA 262 / RE2 subset) a string field must match (schema <c>pattern</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    /// <summary>The regular expression.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>Common pattern: a Go duration such as <c>4h</c>, <c>1h30m</c>, <c>45s</c> or <c>0</c> (no sign).</summary>
    public const string Duration = @"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+)$";

    /// <summary>Common pattern: a DNS-1123 subdomain, the form of most Kubernetes object names.</summary>
    public const string Dns1123Subdomain = @"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
}
