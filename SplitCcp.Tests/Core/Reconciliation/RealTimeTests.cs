namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>
/// Tests that run whole applies on the system clock (AWS-like waits of a fraction of a second). They run on their own,
/// after the parallel tests, so a busy machine cannot stretch their waits into another test's timeouts, or theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeTests
{
    public const string Name = "Real-time applies";
}
