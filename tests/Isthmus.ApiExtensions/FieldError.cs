using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Isthmus.ApiExtensions;

/// <summary>The kinds of field errors (k8s.io/apimachinery/pkg/util/validation/field <c>ErrorType</c>).</summary>
public enum FieldErrorType
{
    /// <summary>"Not found".</summary>
    NotFound,

    /// <summary>"Required value".</summary>
    Required,

    /// <summary>"Duplicate value".</summary>
    Duplicate,

    /// <summary>"Invalid value".</summary>
    Invalid,

    /// <summary>"Unsupported value".</summary>
    NotSupported,

    /// <summary>"Forbidden".</summary>
    Forbidden,

    /// <summary>"Too long".</summary>
    TooLong,

    /// <summary>"Too many".</summary>
    TooMany,

    /// <summary>"Internal error".</summary>
    Internal,

    /// <summary>"Invalid value", for a value of the wrong type.</summary>
    TypeInvalid,
}

/// <summary>
/// One validation error on one field, worded as the API server words it in a 422 Invalid Status
/// (<c>spec.peer.port: Invalid value: 0: spec.peer.port in body should be greater than or equal to 1</c>) and
/// reported in its <c>details.causes</c> (<see cref="CauseType"/>, <see cref="Field"/>, <see cref="Body"/>).
/// </summary>
/// <param name="Type">The kind of error.</param>
/// <param name="Field">The field path, e.g. <c>spec.remote[0].ports.end</c>.</param>
/// <param name="Value">The bad value as the API server prints it (Go <c>%q</c> for strings, <c>%v</c> for numbers), or null when omitted.</param>
/// <param name="Detail">The explanation.</param>
public sealed record FieldError(FieldErrorType Type, string Field, string? Value, string Detail)
{
    /// <summary>The Status cause reason, e.g. <c>FieldValueInvalid</c>.</summary>
    public string CauseType => Type switch
    {
        FieldErrorType.NotFound => "FieldValueNotFound",
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Internal => "InternalError",
        _ => "FieldValueTypeInvalid",
    };

    /// <summary>The error without the field: <c>Invalid value: "x": must be ...</c>.</summary>
    public string Body
    {
        get
        {
            var text = TypeText;
            if (Value is not null && Type is not (FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong or FieldErrorType.Internal))
            {
                text += ": " + Value;
            }

            return Detail.Length > 0 ? text + ": " + Detail : text;
        }
    }

    private string TypeText => Type switch
    {
        FieldErrorType.NotFound => "Not found",
        FieldErrorType.Required => "Required value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.Internal => "Internal error",
        _ => "Invalid value",
    };

    /// <summary>A required field is missing.</summary>
    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, null, detail);

    /// <summary>A field that must not be set, or a limit exceeded.</summary>
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);

    /// <summary>A bad value.</summary>
    public static FieldError Invalid(string field, object? value, string detail) => new(FieldErrorType.Invalid, field, Render(value), detail);

    /// <summary>A value of the wrong type.</summary>
    public static FieldError TypeInvalid(string field, object? value, string detail) => new(FieldErrorType.TypeInvalid, field, Render(value), detail);

    /// <summary>A value outside an enumeration.</summary>
    public static FieldError NotSupported(string field, object? value, IEnumerable<string> valid)
    {
        var quoted = valid.Select(Quote).ToList();
        return new(FieldErrorType.NotSupported, field, Render(value), quoted.Count == 0 ? "" : "supported values: " + string.Join(", ", quoted));
    }

    /// <summary>A repeated value in a set or map list.</summary>
    public static FieldError Duplicate(string field, object? value) => new(FieldErrorType.Duplicate, field, Render(value), "");

    /// <summary>A string longer than maxLength (the value is not repeated).</summary>
    public static FieldError TooLong(string field, long maxLength) =>
        new(FieldErrorType.TooLong, field, null, maxLength >= 0 ? $"may not be more than {maxLength} {(maxLength == 1 ? "byte" : "bytes")}" : "value is too long");

    /// <summary>A list or map with more entries than allowed.</summary>
    public static FieldError TooMany(string field, long actual, long max) =>
        new(FieldErrorType.TooMany, field, actual >= 0 ? actual.ToString(CultureInfo.InvariantCulture) : null,
            max >= 0 ? $"must have at most {max} {(max == 1 ? "item" : "items")}" : "has too many items");

    /// <summary>A failure of the validator itself.</summary>
    public static FieldError InternalError(string field, string detail) => new(FieldErrorType.Internal, field, null, detail);

    /// <summary>The error as the API server prints it: <c>field: body</c>.</summary>
    public override string ToString() => Field + ": " + Body;

    /// <summary>
    /// The message of several errors as Kubernetes aggregates them: one error as is, several in brackets joined by
    /// commas, duplicates once.
    /// </summary>
    public static string Aggregate(IEnumerable<FieldError> errors)
    {
        var messages = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]";
    }

    /// <summary>A value as Go prints it in a field error: strings quoted, numbers and booleans plain, JSON as JSON.</summary>
    public static string Render(object? value) => value switch
    {
        null => "null",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        long or int or ulong => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Quote(v.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => v.ToJsonString(),
        },
        JsonNode n => n.ToJsonString(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A string quoted as Go's <c>%q</c> quotes it.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (Rune.IsControl(rune))
                    {
                        sb.Append(rune.Value < 0x100 ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
