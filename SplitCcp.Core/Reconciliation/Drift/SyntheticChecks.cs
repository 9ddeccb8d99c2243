namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// Checks what agents actually get: the CCP pages and connect-streams.js fetched from the address agents load them from,
/// compared by SHA-256 with what was published, and the hosting origin among the instance's approved origins.
/// </summary>
public sealed class SyntheticChecks
{
#pragma warning disable CA1822 // Placeholder until the checks are written.
    internal Task<IReadOnlyList<DriftResource>> RunAsync(ReconcileContext context, Plan plan, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<DriftResource>>([]);
#pragma warning restore CA1822
}
