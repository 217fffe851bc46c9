namespace Isthmus.KubeApiDouble;

/// <summary>
/// Failures injected into chosen requests: each rule answers the next matching requests with an error Status
/// (500 InternalError, 429 TooManyRequests with Retry-After, 503, 409...) instead of serving them.
/// </summary>
public sealed class FaultInjector
{
    private sealed class Rule(Func<ApiRequest, bool> match, int statusCode, int remaining)
    {
        public Func<ApiRequest, bool> Match { get; } = match;

        public int StatusCode { get; } = statusCode;

        public int Remaining { get; set; } = remaining;
    }

    private readonly object _gate = new();
    private readonly List<Rule> _rules = [];

    /// <summary>How many requests were failed by injection.</summary>
    public int Injected { get; private set; }

    /// <summary>Fails the next <paramref name="times"/> requests that match with <paramref name="statusCode"/>.</summary>
    public void FailNext(Func<ApiRequest, bool> match, int statusCode, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_gate)
        {
            _rules.Add(new Rule(match, statusCode, times));
        }
    }

    /// <summary>Removes every pending rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal ApiStatusException? Take(ApiRequest request)
    {
        lock (_gate)
        {
            var rule = _rules.FirstOrDefault(r => r.Match(request));
            if (rule is null)
            {
                return null;
            }

            if (--rule.Remaining == 0)
            {
                _rules.Remove(rule);
            }

            Injected++;
            var (reason, message) = rule.StatusCode switch
            {
                429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
                409 => ("Conflict", $"Operation cannot be fulfilled on {request.Resource.QualifiedName} \"{request.Name}\": injected conflict"),
                503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
                504 => ("Timeout", "the server was unable to return a response in the time allotted"),
                _ => ("InternalError", "Internal error occurred: injected failure"),
            };
            return new ApiStatusException(rule.StatusCode, reason, message, request.Resource, request.Name);
        }
    }
}
