using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Runtime.Leader;

/// <summary>Settings of leader election over a coordination.k8s.io/v1 Lease.</summary>
public sealed record LeaderElectionOptions
{
    public required string Namespace { get; init; }

    public string LeaseName { get; init; } = "isthmus-operator";

    /// <summary>This replica's identity (the pod name in a cluster).</summary>
    public required string Identity { get; init; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Runs work only while this replica holds the Lease (KubernetesClient's <see cref="LeaderElector"/>).
/// When leadership is lost the work is cancelled and awaited, then the replica competes again. On shutdown
/// the Lease is released (holder cleared) so that a standby replica takes over without waiting for expiry.
/// </summary>
public sealed class LeaderElection
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;

    public LeaderElection(IKubernetes client, LeaderElectionOptions options, ILogger logger)
    {
        _client = client;
        _options = options;
        _logger = logger;
    }

    /// <summary>True while this replica leads.</summary>
    public bool IsLeader { get; private set; }

    public async Task RunAsync(Func<CancellationToken, Task> whileLeading, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var leaseLock = new LeaseLock(_client, _options.Namespace, _options.LeaseName, _options.Identity);
            var config = new LeaderElectionConfig(leaseLock)
            {
                LeaseDuration = _options.LeaseDuration,
                RenewDeadline = _options.RenewDeadline,
                RetryPeriod = _options.RetryPeriod,
            };
            using var elector = new LeaderElector(config);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? work = null;
            elector.OnStartedLeading += () =>
            {
                IsLeader = true;
                _logger.LogInformation("Became leader ({Lease})", $"{_options.Namespace}/{_options.LeaseName}");
                work = Task.Run(() => whileLeading(leading.Token), CancellationToken.None);
            };
            elector.OnStoppedLeading += () =>
            {
                IsLeader = false;
                _logger.LogWarning("Lost leadership of {Lease}", $"{_options.Namespace}/{_options.LeaseName}");
                leading.Cancel();
            };
            elector.OnNewLeader += leader => _logger.LogInformation("Leader is {Leader}", leader);
            elector.OnError += e => _logger.LogWarning("Leader election: {Error}: {Message}", e.GetType().Name, e.Message);
            try
            {
                await elector.RunUntilLeadershipLostAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            leading.Cancel();
            if (work is not null)
            {
                try
                {
                    await work.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            if (cancellationToken.IsCancellationRequested && work is not null)
            {
                await ReleaseAsync(leaseLock).ConfigureAwait(false);
            }
            IsLeader = false;
        }
    }

    private async Task ReleaseAsync(LeaseLock leaseLock)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var record = await leaseLock.GetAsync(timeout.Token).ConfigureAwait(false);
            if (record.HolderIdentity != _options.Identity)
            {
                return;
            }
            var released = new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = record.AcquireTime,
                RenewTime = DateTime.UtcNow,
                LeaderTransitions = record.LeaderTransitions,
            };
            if (await leaseLock.UpdateAsync(released, timeout.Token).ConfigureAwait(false))
            {
                _logger.LogInformation("Released {Lease}", $"{_options.Namespace}/{_options.LeaseName}");
            }
        }
        catch (Exception e)
        {
            _logger.LogWarning("Could not release {Lease}: {Message}", $"{_options.Namespace}/{_options.LeaseName}", e.Message);
        }
    }
}
