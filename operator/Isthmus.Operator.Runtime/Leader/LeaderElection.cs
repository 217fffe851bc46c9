using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Runtime.Leader;

/// <summary>Settings of leader election over a coordination.k8s.io/v1 Lease.</summary>
public sealed record LeaderElectionOptions
{
    public required string Namespace { get; init; }

    public string LeaseName { get; init; } = "isthmus-operator";

    /// <summary>This replica's identity (the pod name in a cluster).</summary>
    public required string Identity { get; init; }

    /// <summary>How long a Lease not renewed stays another replica's: a standby takes over this long after the leader's last renewal it saw.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the leader keeps leading while renewals fail (API server unreachable, say) before it gives the Lease up.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the Lease is renewed by the leader and checked by the others.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks the relation client-go demands: LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod.</summary>
    public string? Validate() =>
        LeaseDuration <= RenewDeadline ? $"the lease duration ({LeaseDuration.TotalSeconds:0.###}s) must be longer than the renew deadline ({RenewDeadline.TotalSeconds:0.###}s)"
        : RenewDeadline <= RetryPeriod * 1.2 ? $"the renew deadline ({RenewDeadline.TotalSeconds:0.###}s) must be longer than 1.2 x the retry period ({RetryPeriod.TotalSeconds:0.###}s)"
        : null;
}

/// <summary>
/// Runs work only while this replica holds the Lease, the way client-go's leader election does:
/// <list type="bullet">
/// <item>a candidate takes the Lease when it is free or when the holder has not renewed it for a lease duration,
/// timed by this replica's own clock from the moment it saw the record change (so clocks need not agree);</item>
/// <item>the leader renews every retry period; a failed renewal (the API server unreachable, a 5xx, a timeout) is
/// retried until the renew deadline has passed since the last good renewal, and only then is leadership given up;</item>
/// <item>losing leadership cancels the work and waits for it to stop; the replica then campaigns again. Nothing
/// here throws on an API error: the process stays up across API-server restarts and upgrades;</item>
/// <item>on shutdown the leader releases the Lease (holder cleared), so that a standby takes over at once.</item>
/// </list>
/// </summary>
public sealed class LeaderElection
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private string? _observedRecord;
    private DateTimeOffset _observedAt;

    public LeaderElection(IKubernetes client, LeaderElectionOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }
        _client = client;
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>True while this replica leads.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>Times this replica became leader (for tests and metrics).</summary>
    public int TimesElected { get; private set; }

    private string LeaseText => $"{_options.Namespace}/{_options.LeaseName}";

    /// <summary>Campaigns, leads and campaigns again until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            IsLeader = true;
            TimesElected++;
            _logger.LogInformation("Became leader ({Lease})", LeaseText);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
            var lost = await RenewUntilLostAsync(work, cancellationToken).ConfigureAwait(false);
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                await work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e)
            {
                _logger.LogError(e, "The leader's work failed: {Message}", e.Message);
            }
            IsLeader = false;
            if (lost)
            {
                _logger.LogWarning("Lost leadership of {Lease}: stopped reconciling, campaigning again", LeaseText);
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Tries to take the Lease every retry period; false when cancelled first.</summary>
    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        string? lastHolder = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var outcome = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Held)
            {
                return true;
            }
            if (outcome.Holder is { Length: > 0 } holder && holder != lastHolder)
            {
                _logger.LogInformation("Leader is {Leader}", holder);
                lastHolder = holder;
            }
            if (!await DelayAsync(_options.RetryPeriod, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>Renews every retry period; returns true when leadership was lost, false when stopped by cancellation or by the work ending.</summary>
    private async Task<bool> RenewUntilLostAsync(Task work, CancellationToken cancellationToken)
    {
        var lastRenewed = _time.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested && !work.IsCompleted)
        {
            if (!await DelayAsync(_options.RetryPeriod, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            var outcome = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            if (outcome.Held)
            {
                lastRenewed = _time.GetUtcNow();
                continue;
            }
            if (outcome.Holder is { Length: > 0 } other && other != _options.Identity)
            {
                _logger.LogWarning("{Leader} holds {Lease} now", other, LeaseText);
                return true;
            }
            if (_time.GetUtcNow() - lastRenewed >= _options.RenewDeadline)
            {
                _logger.LogWarning("Could not renew {Lease} for {Seconds:0.#} s (renew deadline {Deadline:0.#} s)", LeaseText, (_time.GetUtcNow() - lastRenewed).TotalSeconds, _options.RenewDeadline.TotalSeconds);
                return true;
            }
        }
        return false;
    }

    private readonly record struct Outcome(bool Held, string? Holder);

    /// <summary>One attempt, as client-go's tryAcquireOrRenew; API errors are logged and reported as not held.</summary>
    private async Task<Outcome> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RetryPeriod * 2 < _options.RenewDeadline ? _options.RetryPeriod * 2 : _options.RenewDeadline);
        try
        {
            V1Lease? lease;
            try
            {
                lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                lease = null;
            }
            if (lease is null)
            {
                var created = new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
                    Spec = Spec(now, acquire: now, transitions: 0),
                };
                await _client.CoordinationV1.CreateNamespacedLeaseAsync(created, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
                Observe(created.Spec, now);
                return new Outcome(true, _options.Identity);
            }

            var spec = lease.Spec ?? new V1LeaseSpec();
            Observe(spec, now);
            var holder = spec.HolderIdentity;
            var mine = holder == _options.Identity;
            var free = string.IsNullOrEmpty(holder);
            var expired = _observedAt + TimeSpan.FromSeconds(spec.LeaseDurationSeconds ?? (int)_options.LeaseDuration.TotalSeconds) <= now;
            if (!mine && !free && !expired)
            {
                return new Outcome(false, holder);
            }
            lease.Spec = mine
                ? Spec(now, acquire: spec.AcquireTime ?? now.UtcDateTime, transitions: spec.LeaseTransitions ?? 0)
                : Spec(now, acquire: now, transitions: (spec.LeaseTransitions ?? 0) + 1);
            // The update carries the resourceVersion read: a concurrent writer wins and this attempt fails with 409.
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            Observe(lease.Spec, now);
            return new Outcome(true, _options.Identity);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new Outcome(false, null);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            _logger.LogDebug("Lease {Lease} changed under this attempt", LeaseText);
            return new Outcome(false, null);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException or IOException or System.Text.Json.JsonException)
        {
            var detail = e is HttpOperationException h ? $"{(int?)h.Response?.StatusCode} {h.Response?.ReasonPhrase}" : e.Message;
            _logger.LogWarning("Lease {Lease}: {Error}: {Detail}", LeaseText, e.GetType().Name, detail);
            return new Outcome(false, null);
        }
    }

    private V1LeaseSpec Spec(DateTimeOffset now, DateTimeOffset acquire, int transitions) => new()
    {
        HolderIdentity = _options.Identity,
        LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
        AcquireTime = acquire.UtcDateTime,
        RenewTime = now.UtcDateTime,
        LeaseTransitions = transitions,
    };

    /// <summary>Remembers when the record last changed, by this replica's clock.</summary>
    private void Observe(V1LeaseSpec spec, DateTimeOffset now)
    {
        var record = $"{spec.HolderIdentity}|{spec.RenewTime?.ToString("O")}|{spec.LeaseTransitions}|{spec.LeaseDurationSeconds}";
        if (record != _observedRecord)
        {
            _observedRecord = record;
            _observedAt = now;
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _options.Identity)
            {
                return;
            }
            lease.Spec.HolderIdentity = null;
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            _logger.LogInformation("Released {Lease}", LeaseText);
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not release {Lease}: {Message}", LeaseText, e.Message);
        }
    }
}
