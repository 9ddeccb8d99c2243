using Microsoft.AspNetCore.Components;
using MudBlazor;
using SplitCcp.Core.GoLive;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Web.Components.Shared;

namespace SplitCcp.Web.Components.GoLive;

public sealed partial class GoLiveCard
{
    private readonly CancellationTokenSource _disposed = new();
    private TenantChangeWatch? _watch;
    private GoLiveReport? _report;
    private Guid _loadedTenant;
    private bool _loaded;
    private string? _agent;
    private string? _agentError;
    private bool _starting;
    private bool _checking;
    private bool _recording;
    private bool _checkingAgents;
    private string? _sessionError;

    /// <summary>The streaming URL, in this circuit's memory only until it expires: never stored, never logged.</summary>
    private TestSession? _session;

    /// <summary>The tenant as the page's check found it; what it allows shows the recording controls, the test session and "check now".</summary>
    [Parameter, EditorRequired]
    public AuthorizedTenant Authorized { get; set; } = default!;

    private Guid TenantId => Authorized.TenantId;

    private bool CanWrite => Authorized.CanWrite;

    [Inject]
    private GoLiveService GoLive { get; set; } = default!;

    [Inject]
    private DriftService Drift { get; set; } = default!;

    [Inject]
    private DriftNotifier Notifier { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private bool SessionExpired => _session is { } session && session.ExpiresAt <= Time.GetUtcNow().UtcDateTime;

    // A drift check ticks the automatic checks; a result may be recorded on another page or through the API.
    protected override void OnInitialized() =>
        _watch = new TenantChangeWatch(Notifier, () => TenantId, async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }, work => InvokeAsync(work), DispatchExceptionAsync, Time, _disposed.Token);

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedTenant != TenantId)
        {
            _loadedTenant = TenantId;
            _report = null;
            _session = null;
            _loaded = false;
            await LoadAsync();
            _agent = _report?.TestSession.SuggestedUserId;
        }
    }

    private async Task LoadAsync()
    {
        _report = await GoLive.GetAsync(Authorized, _disposed.Token);
        _loaded = true;
    }

    /// <summary>Records a check's result; the checklist comes back with it (Live once it was the last).</summary>
    private async Task<bool> RecordAsync(string key, bool passed, string? note)
    {
        _recording = true;
        try
        {
            var input = new GoLiveResultInput(passed ? nameof(GoLiveCheckState.Passed) : nameof(GoLiveCheckState.Failed), note, _agent);
            switch (await GoLive.RecordAsync(Authorized, key, input, _disposed.Token))
            {
                case GoLiveRecordResult.Recorded recorded:
                    var wasLive = _report?.IsLive == true;
                    _report = recorded.Report;
                    Snackbar.Add(_report.IsLive && !wasLive ? "Every check passed: the tenant is live."
                        : wasLive && !_report.IsLive ? "Recorded. The tenant is no longer live until this check passes again."
                        : "Recorded.", _report.IsLive && !wasLive ? Severity.Success : Severity.Normal);
                    return true;
                case GoLiveRecordResult.Invalid invalid:
                    Snackbar.Add(string.Join(" ", invalid.Errors.SelectMany(e => e.Value)), Severity.Warning);
                    return false;
                case GoLiveRecordResult.Forbidden:
                    Snackbar.Add("You cannot change this tenant.", Severity.Error);
                    return false;
                case GoLiveRecordResult.Automatic automatic:
                    Snackbar.Add(automatic.Reason, Severity.Info);
                    return false;
                default:
                    Snackbar.Add("This tenant no longer exists.", Severity.Warning);
                    return false;
            }
        }
        finally
        {
            _recording = false;
        }
    }

    private async Task StartSessionAsync()
    {
        _agentError = GoLiveService.TestUserError(_agent);
        _sessionError = null;
        if (_agentError is not null)
        {
            return;
        }

        _starting = true;
        try
        {
            switch (await GoLive.StartTestSessionAsync(Authorized, _agent, _disposed.Token))
            {
                case TestSessionResult.Started started:
                    _session = started.Session;
                    ForgetSessionWhenExpired(started.Session);
                    break;
                case TestSessionResult.Invalid invalid:
                    _agentError = string.Join(" ", invalid.Errors.SelectMany(e => e.Value));
                    break;
                case TestSessionResult.NotReady notReady:
                    _sessionError = notReady.Reason;
                    break;
                case TestSessionResult.Forbidden:
                    _sessionError = "You cannot start sessions for this tenant.";
                    break;
                default:
                    _sessionError = "This tenant no longer exists.";
                    break;
            }
        }
        finally
        {
            _starting = false;
        }
    }

    /// <summary>Past its expiry the URL is useless: the card then says so instead of offering it.</summary>
    private void ForgetSessionWhenExpired(TestSession session)
    {
        var left = session.ExpiresAt - Time.GetUtcNow().UtcDateTime;
        _ = Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, Time, _disposed.Token).ContinueWith(
            _ => InvokeAsync(StateHasChanged), _disposed.Token, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Runs a drift check now, which ticks the automatic checks; its notification reloads the card.</summary>
    private async Task CheckNowAsync()
    {
        _checking = true;
        try
        {
            if (await Drift.CheckNowAsync(Authorized, _disposed.Token) is not CheckResult.Checked)
            {
                Snackbar.Add("The tenant could not be checked.", Severity.Warning);
            }

            await LoadAsync();
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
        }
        finally
        {
            _checking = false;
        }
    }

    private async Task CheckAgentsAsync()
    {
        _checkingAgents = true;
        try
        {
            switch (await GoLive.CheckAgentsAsync(Authorized, _disposed.Token))
            {
                case AgentsCheckResult.Checked checkedAgents:
                    _report = checkedAgents.Report;
                    break;
                case AgentsCheckResult.NotReady notReady:
                    Snackbar.Add(notReady.Reason, Severity.Error);
                    break;
                case AgentsCheckResult.Forbidden:
                    Snackbar.Add("You cannot check this tenant's agents.", Severity.Error);
                    break;
                default:
                    Snackbar.Add("This tenant no longer exists.", Severity.Warning);
                    break;
            }
        }
        finally
        {
            _checkingAgents = false;
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
