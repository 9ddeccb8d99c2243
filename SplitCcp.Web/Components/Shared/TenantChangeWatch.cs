using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Web.Components.Shared;

/// <summary>
/// Keeps a component on a tenant's latest state: each stored drift check or go-live result of the tenant asks for a reload,
/// coalesced so a burst of them reloads about once a second, on the component's dispatcher. A reload that fails goes to the
/// circuit as a handler's failure would; one cut short because the component went away is dropped.
/// </summary>
internal sealed class TenantChangeWatch : IDisposable
{
    private readonly DriftNotifier _notifier;
    private readonly Func<Guid> _tenantId;
    private readonly CoalescingRefresh _refresh;

    /// <param name="dispatch">The component's <c>InvokeAsync</c>.</param>
    /// <param name="fail">The component's <c>DispatchExceptionAsync</c>.</param>
    /// <param name="stopped">Cancelled when the component is disposed.</param>
    public TenantChangeWatch(
        DriftNotifier notifier, Func<Guid> tenantId, Func<Task> reload, Func<Func<Task>, Task> dispatch, Func<Exception, Task> fail, TimeProvider time,
        CancellationToken stopped)
    {
        _notifier = notifier;
        _tenantId = tenantId;
        _refresh = new CoalescingRefresh(() => dispatch(async () =>
        {
            try
            {
                await reload();
            }
            catch (OperationCanceledException) when (stopped.IsCancellationRequested)
            {
            }
#pragma warning disable CA1031 // A reload runs outside any event handler; its failure goes to the circuit like a handler's would.
            catch (Exception ex) when (!stopped.IsCancellationRequested)
#pragma warning restore CA1031
            {
                await fail(ex);
            }
        }), TimeSpan.FromMilliseconds(500), time);
        notifier.Checked += OnChanged;
    }

    public void Dispose()
    {
        _notifier.Checked -= OnChanged;
        _refresh.Dispose();
    }

    private void OnChanged(Guid tenantId)
    {
        if (tenantId == _tenantId())
        {
            _refresh.Request();
        }
    }
}
