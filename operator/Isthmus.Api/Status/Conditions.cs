namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// Sets conditions the way Kubernetes' <c>meta.SetStatusCondition</c> does: lastTransitionTime changes only
/// when the status changes, so setting the same condition twice leaves the list untouched.
/// </summary>
public static class Conditions
{
    public static V1Alpha1Condition? Find(IEnumerable<V1Alpha1Condition>? conditions, string type) =>
        conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IEnumerable<V1Alpha1Condition>? conditions, string type) =>
        Find(conditions, type)?.Status == V1Alpha1ConditionStatus.True;

    /// <summary>Sets (adds or updates) one condition in <paramref name="conditions"/>.</summary>
    public static void Set(List<V1Alpha1Condition> conditions, string type, V1Alpha1ConditionStatus status, string reason, string message, long? generation, DateTimeOffset now)
    {
        var existing = Find(conditions, type);
        if (existing is null)
        {
            conditions.Add(new V1Alpha1Condition
            {
                Type = type,
                Status = status,
                Reason = reason,
                Message = message,
                ObservedGeneration = generation,
                LastTransitionTime = Truncate(now),
            });
            return;
        }
        if (existing.Status != status)
        {
            existing.Status = status;
            existing.LastTransitionTime = Truncate(now);
        }
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = generation;
    }

    /// <summary>Kubernetes times have one-second resolution.</summary>
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
