using Microsoft.AspNetCore.Components;
using MudBlazor;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Web.Api;
using SplitCcp.Web.Components.Shared;

namespace SplitCcp.Web.Components.Drift;

public sealed partial class TenantDriftCard
{
    private readonly CancellationTokenSource _disposed = new();
    private CoalescingRefresh? _refresh;
    private TenantHealthReport? _report;
    private IReadOnlyList<DriftHistoryEntry>? _history;
    private Guid _loadedTenant;
    private bool _checking;
    private bool _loaded;
    private bool _savingAutoRemediate;

    /// <summary>Changed to rebuild the switch when a change is refused: the switch keeps what was clicked otherwise.</summary>
    private int _switchKey;

    /// <summary>The tenant as the page's check found it; what it allows shows "check now", "apply fix" and the auto-remediation switch.</summary>
    [Parameter, EditorRequired]
    public AuthorizedTenant Authorized { get; set; } = default!;

    private Guid TenantId => Authorized.TenantId;

    private string HistoryCsvHref => Csv.DownloadHref($"/tenants/{TenantId}/health/history");

    private bool CanWrite => Authorized.CanWrite;

    /// <summary>"Apply fix": the page hands it to the plan panel, whose confirmation and progress every apply goes through.</summary>
    [Parameter]
    public EventCallback OnApplyFix { get; set; }

    [Inject]
    private DriftService Drift { get; set; } = default!;

    [Inject]
    private DriftNotifier Notifier { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private bool CanApplyFix => CanWrite && !_checking && _report?.Status == TenantHealthStatus.Drifted;

    private string ApplyFixHint => _report?.Status switch
    {
        TenantHealthStatus.Drifted => "Plans the tenant again and asks before applying; the progress shows under Plan and apply.",
        TenantHealthStatus.Pending => "Nothing drifted: the setup is not finished yet. Do its console steps and apply under Plan and apply.",
        _ => "Nothing to fix: the last check found no drift.",
    };

    /// <summary>The report's message; for a setup not finished, what is left and where to do it.</summary>
    private string? MessageText => _report?.Status == TenantHealthStatus.Pending
        ? $"The setup is not finished: {_report.Message}. Plan and apply below; the plan gives each console step with every value to paste."
        : _report?.Message;

    protected override void OnInitialized()
    {
        _refresh = new CoalescingRefresh(() => InvokeAsync(ReloadAsync), TimeSpan.FromMilliseconds(500), Time);
        Notifier.Checked += OnChecked;
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedTenant != TenantId)
        {
            _loadedTenant = TenantId;
            _report = null;
            _history = null;
            _loaded = false;
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        _report = await Drift.GetHealthAsync(Authorized, _disposed.Token);
        _history = await Drift.GetHistoryAsync(Authorized, 20, _disposed.Token);
        _loaded = true;
    }

    /// <summary>Checks the tenant now and shows the result. After an apply the drift worker checks the tenant; the card shows that check when it is notified.</summary>
    public async Task CheckNowAsync()
    {
        if (!CanWrite || _checking)
        {
            return;
        }

        _checking = true;
        StateHasChanged();
        try
        {
            switch (await Drift.CheckNowAsync(Authorized, _disposed.Token))
            {
                case CheckResult.Checked checkedNow:
                    // Shown at once; the checker's notification reloads the history with it.
                    _report = checkedNow.Report;
                    break;
                case CheckResult.Forbidden:
                    Snackbar.Add("You cannot start checks of this tenant.", Severity.Error);
                    break;
                default:
                    Snackbar.Add("This tenant no longer exists.", Severity.Warning);
                    break;
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        finally
        {
            // Rendered here, not left to an event of the card's own: nothing else renders the card (its parameters have not
            // changed), and it would say "Checking…" until the next check.
            _checking = false;
            StateHasChanged();
        }
    }

    private async Task SetAutoRemediateAsync(bool enabled)
    {
        if (enabled)
        {
            var confirmed = await Dialogs.ShowMessageBoxAsync(
                "Turn on auto-remediation?",
                "Whenever a check finds this tenant out of line with its setup, the portal applies the setup to its AWS account at once, " +
                "without asking: a change someone made in the AWS console is undone. Each such apply is recorded in the history.",
                yesText: "Turn on", cancelText: "Cancel");
            if (confirmed != true)
            {
                _switchKey++;
                return;
            }
        }

        _savingAutoRemediate = true;
        try
        {
            switch (await Drift.SetAutoRemediateAsync(Authorized, enabled))
            {
                case Core.Security.TenantAccessResult.Allowed:
                    _report = _report! with { AutoRemediate = enabled };
                    Snackbar.Add(enabled ? "Auto-remediation is on." : "Auto-remediation is off.", Severity.Success);
                    break;
                case Core.Security.TenantAccessResult.Forbidden:
                    _switchKey++;
                    Snackbar.Add("You cannot change this tenant.", Severity.Error);
                    break;
                default:
                    _switchKey++;
                    Snackbar.Add("This tenant no longer exists.", Severity.Warning);
                    break;
            }
        }
        finally
        {
            _savingAutoRemediate = false;
        }
    }

    /// <summary>The titles of what a history entry found out of line or could not read, for its one-line summary.</summary>
    private static string Troubled(DriftHistoryEntry entry) =>
        string.Join(", ", entry.Resources.Where(r => r.IsOutOfLine || r.State == DriftState.Error).Select(r => r.Title));

    private void OnChecked(Guid tenantId)
    {
        if (tenantId == TenantId)
        {
            _refresh?.Request();
        }
    }

    /// <summary>After a check of this tenant finished elsewhere: the worker, another page, auto-remediation's next check.</summary>
    private async Task ReloadAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await LoadAsync();
            StateHasChanged();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A reload runs outside any event handler; its failure goes to the circuit like a handler's would.
        catch (Exception ex) when (!_disposed.IsCancellationRequested)
#pragma warning restore CA1031
        {
            await DispatchExceptionAsync(ex);
        }
    }

    public void Dispose()
    {
        Notifier.Checked -= OnChecked;
        _refresh?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
