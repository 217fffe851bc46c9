using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace Isthmus.ApiExtensions.Expressions;

/// <summary>The result of one rule: true (valid), false (invalid), or an evaluation error the API server would report.</summary>
public readonly record struct CelOutcome(bool Valid, string? Error);

/// <summary>
/// Evaluates <c>x-kubernetes-validations</c> rules with <c>self</c> bound to a JSON value, on the
/// <c>Cel</c> package plus <see cref="KubernetesCelLibrary"/>. Compiled rules are cached.
/// </summary>
public static class CelRuleEvaluator
{
    private static readonly CelEnvironment Environment = KubernetesCelLibrary.CreateEnvironment();
    private static readonly ConcurrentDictionary<string, Lazy<Func<IDictionary<string, object?>, object?>>> Compiled = new();
    // The Cel package is not documented as thread-safe: compile and evaluate one rule at a time.
    private static readonly Lock CompileLock = new();

    public static CelOutcome Evaluate(string rule, JsonNode? self, JsonNode? oldSelf = null)
    {
        Func<IDictionary<string, object?>, object?> program;
        try
        {
            program = Compiled.GetOrAdd(rule, r => new Lazy<Func<IDictionary<string, object?>, object?>>(() =>
            {
                lock (CompileLock)
                {
                    var compiled = Environment.Compile(r);
                    return vars => compiled.Invoke((Dictionary<string, object?>)vars);
                }
            })).Value;
        }
        catch (Exception e)
        {
            Compiled.TryRemove(rule, out _);
            return new CelOutcome(false, $"compilation failed: {e.Message}");
        }
        try
        {
            object? result;
            lock (CompileLock)
            {
                var variables = new Dictionary<string, object?> { ["self"] = ToCel(self) };
                if (oldSelf is not null)
                {
                    variables["oldSelf"] = ToCel(oldSelf);
                }

                result = program(variables);
            }
            return result is bool b ? new CelOutcome(b, null) : new CelOutcome(false, $"rule returned {result?.GetType().Name ?? "null"}, not a bool");
        }
        catch (Exception e)
        {
            return new CelOutcome(false, $"evaluation failed: {e.Message}");
        }
    }

    /// <summary>The string a <c>messageExpression</c> evaluates to, or null when it fails or is not a string.</summary>
    public static string? EvaluateString(string expression, JsonNode? self, JsonNode? oldSelf = null)
    {
        try
        {
            lock (CompileLock)
            {
                var compiled = Environment.Compile(expression);
                var variables = new Dictionary<string, object?> { ["self"] = ToCel(self) };
                if (oldSelf is not null)
                {
                    variables["oldSelf"] = ToCel(oldSelf);
                }

                return compiled.Invoke(variables) as string;
            }
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="rule"/> parses and type-checks against the registered functions.</summary>
    public static bool TryCompile(string rule, out string? error)
    {
        try
        {
            lock (CompileLock)
            {
                Environment.Compile(rule);
            }
            error = null;
            return true;
        }
        catch (Exception e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>JSON to the values the Cel package works on: maps, lists, long, double, string, bool, null.</summary>
    public static object? ToCel(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToCel(p.Value)),
        JsonArray array => array.Select(ToCel).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            // A JSON integer is a CEL int (type(x) == int), anything else a double, as the API server decodes JSON.
            JsonValueKind.Number => long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? (object)l
                : double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            _ => null,
        },
        _ => null,
    };
}
