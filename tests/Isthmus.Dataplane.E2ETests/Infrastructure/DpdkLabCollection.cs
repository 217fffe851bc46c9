namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>
/// The test classes that start DPDK gateways run one at a time: each lab polls with four lcores (two per
/// dataplane) on a shared machine, and DPDK's libraries are probed in this process (loaded and freed by
/// <see cref="DataplaneLab.WhyCannotRun"/>), which is not safe from two threads at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DpdkLabCollection
{
    public const string Name = "DPDK gateway labs";
}
