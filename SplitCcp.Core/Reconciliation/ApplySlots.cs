using Microsoft.Extensions.Options;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// How many applies may work at once (<see cref="ReconciliationOptions.MaxConcurrentApplies"/>): read AWS, make changes,
/// write the journal. An apply that waits on slow AWS work (a fleet starting takes AWS 10–20 minutes) gives its slot back
/// for the wait and takes one again for each look at AWS, so slots go to applies that have work to do and a fix is never
/// queued behind tenants that are only waiting.
/// </summary>
public sealed class ApplySlots(IOptions<ReconciliationOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentApplies, options.Value.MaxConcurrentApplies);

    /// <summary>Waits for a free slot; dispose the slot to give it back.</summary>
    public async Task<ApplySlot> TakeAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        return new ApplySlot(_slots);
    }

    public void Dispose() => _slots.Dispose();
}

/// <summary>One apply's slot, held while it works and given back while it waits (<see cref="AwayAsync"/>).</summary>
public sealed class ApplySlot : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private bool _held = true;

    internal ApplySlot(SemaphoreSlim slots) => _slots = slots;

    /// <summary>Gives the slot back for <paramref name="wait"/> and takes one again before returning.</summary>
    public async Task AwayAsync(Func<Task> wait, CancellationToken ct)
    {
        Release();
        try
        {
            await wait();
        }
        finally
        {
            // Not taken again when cancelled: the apply is stopping, and Dispose must then not give back a slot it lacks.
            if (!ct.IsCancellationRequested)
            {
                await _slots.WaitAsync(ct);
                _held = true;
            }
        }
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_held)
        {
            _held = false;
            _slots.Release();
        }
    }
}
