using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Web.Api;
using SplitCcp.Web.Components.Shared;

namespace SplitCcp.Web.Components.Drift;

public sealed partial class HealthDashboard
{
    /// <summary>The fastest the page redraws while checks finish: a pass over a thousand tenants notifies a thousand times.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(750);

    private static readonly TenantHealthStatus[] s_statuses =
        [TenantHealthStatus.Healthy, TenantHealthStatus.Drifted, TenantHealthStatus.Pending, TenantHealthStatus.Failing, TenantHealthStatus.Unknown];

    private static readonly int[] s_pageSizes = [25, 50, 100];

    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<Guid> _checkedSinceStart = [];
    private MudTable<TenantHealthRow>? _table;
    private HealthTrendChart? _trend;
    private CoalescingRefresh? _refresh;
    private TenantScope _scope = TenantScope.None;
    private PageScope? _pageScope;
    private HealthCounts _counts = new(0, 0, 0, 0, 0, 0);
    private DriftSchedule? _schedule;
    private TenantHealthStatus? _status;
    private string? _search;
    private int _shown;
    private bool _checkingAll;

    [Inject]
    private DriftService Drift { get; set; } = default!;

    [Inject]
    private DriftNotifier Notifier { get; set; } = default!;

    [Inject]
    private ITenantAccess Access { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    /// <summary>The query behind the rows on screen, as last sent to <see cref="DriftService.ListAsync"/>.</summary>
    internal TenantHealthQuery? LastQuery { get; private set; }

    /// <summary>How many live refreshes notifications have caused.</summary>
    internal int LiveRefreshes => _refresh?.Refreshes ?? 0;

    protected override async Task OnInitializedAsync()
    {
        _scope = await ScopeAsync();
        _counts = await Drift.CountAsync(_scope);
        _schedule = Drift.GetSchedule();
        _refresh = new CoalescingRefresh(() => InvokeAsync(RefreshAsync), RefreshInterval, Time);
        Notifier.Checked += OnChecked;
        Notifier.PassChanged += OnPassChanged;
    }

    /// <summary>The caller's scope, read once as the dashboard loads; the table, the chart and "check all" ask for it.</summary>
    private Task<TenantScope> ScopeAsync() => (_pageScope ??= new PageScope(Access, AuthState)).GetAsync();

    private async Task<TableData<TenantHealthRow>> LoadAsync(TableState state, CancellationToken ct)
    {
        var query = new TenantHealthQuery(_status, string.IsNullOrWhiteSpace(_search) ? null : _search.Trim(), state.Page + 1, state.PageSize);
        var page = await Drift.ListAsync(await ScopeAsync(), query, ct);
        LastQuery = query;
        _counts = page.Counts;
        _shown = page.TotalCount;

        // The count cards and the toolbar live outside the table; the table never reloads because its parent rendered.
        StateHasChanged();
        return new TableData<TenantHealthRow> { Items = page.Items, TotalItems = page.TotalCount };
    }

    private void OnChecked(Guid tenantId)
    {
        if (!_scope.Contains(tenantId))
        {
            // Someone else's tenant: nothing on this page changes.
            return;
        }

        if (_checkingAll && !_scope.AllTenants)
        {
            lock (_checkedSinceStart)
            {
                _checkedSinceStart.Add(tenantId);
            }
        }

        _refresh?.Request();
    }

    private void OnPassChanged(DriftPassInfo pass) => _refresh?.Request();

    /// <summary>After checks finished: the counts, the rows on screen, the pass, and the trend once no pass is running.</summary>
    private async Task RefreshAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _schedule = Drift.GetSchedule();
            if (_table is not null)
            {
                await _table.ReloadServerData();
            }

            if (_trend is not null && _schedule.Current is null)
            {
                await _trend.RefreshAsync();
            }

            StateHasChanged();
        }
        catch (OperationCanceledException)
        {
            // A newer load of the table replaced this one, or the page closed.
        }
#pragma warning disable CA1031 // A refresh runs outside any event handler; its failure goes to the circuit like a handler's would.
        catch (Exception ex) when (!_disposed.IsCancellationRequested)
#pragma warning restore CA1031
        {
            await DispatchExceptionAsync(ex);
        }
    }

    private async Task ToggleStatusAsync(TenantHealthStatus status)
    {
        _status = _status == status ? null : status;
        await FilterChangedAsync();
    }

    private Task ClearStatusAsync()
    {
        _status = null;
        return FilterChangedAsync();
    }

    private Task ClearFiltersAsync()
    {
        _status = null;
        _search = null;
        return FilterChangedAsync();
    }

    /// <summary>A new filter starts on the first page; moving there loads it, otherwise the page is loaded again.</summary>
    private async Task FilterChangedAsync()
    {
        if (_table is null)
        {
            return;
        }

        if (_table.CurrentPage > 0)
        {
            _table.NavigateTo(MudBlazor.Page.First);
        }
        else
        {
            await _table.ReloadServerData();
        }
    }

    private async Task CheckAllAsync()
    {
        _checkingAll = true;
        lock (_checkedSinceStart)
        {
            _checkedSinceStart.Clear();
        }

        StateHasChanged();
        try
        {
            var result = await Drift.CheckAllAsync(await ScopeAsync(), _disposed.Token);
            if (result is null)
            {
                Snackbar.Add("You cannot start checks.", Severity.Error);
                return;
            }

            var took = DriftText.Duration(result.FinishedAt - result.StartedAt);
            var problems = result.Counts.Drifted + result.Counts.Failing;
            var pending = result.Counts.Pending == 0 ? "" : $" {result.Counts.Pending} with their setup not finished.";
            Snackbar.Add(
                $"Checked {DriftText.Count(result.Checked, "tenant")} in {took}: " +
                (problems == 0 ? "no drift found." : $"{result.Counts.Drifted} drifted, {result.Counts.Failing} failing.") + pending,
                problems == 0 ? Severity.Success : Severity.Warning);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        finally
        {
            _checkingAll = false;
        }

        await RefreshAsync();
    }

    /// <summary>Progress of the checks under way: the worker's pass, or the caller's own tenants being checked one by one.</summary>
    private (int Done, int Total, string Text)? Running
    {
        get
        {
            if (_schedule?.Current is { } pass && _scope.AllTenants)
            {
                var what = pass.Trigger == DriftWorker.ScheduleTrigger ? "Scheduled check of every tenant" : "Checking every tenant";
                return (pass.Checked, pass.Tenants, pass.Tenants == 0
                    ? $"{what}: starting…"
                    : $"{what}: {pass.Checked.ToString("N0", CultureInfo.InvariantCulture)} of {pass.Tenants.ToString("N0", CultureInfo.InvariantCulture)} done");
            }

            if (_checkingAll)
            {
                int done;
                lock (_checkedSinceStart)
                {
                    done = _checkedSinceStart.Count;
                }

                var total = _scope.AllTenants ? 0 : _scope.TenantIds.Count;
                return (done, total, total == 0 ? "Starting a check of every tenant…" : $"Checking your tenants: {done} of {total} done");
            }

            return _schedule?.Current is not null ? (0, 0, "The drift worker is checking tenants…") : null;
        }
    }

    private string LastPassText
    {
        get
        {
            if (_schedule?.Last is not { FinishedAt: { } finished } last)
            {
                return _schedule?.Enabled == false
                    ? _scope.CanWrite ? "Scheduled drift checks are switched off; check tenants from here or from their pages." : "Scheduled drift checks are switched off."
                    : "No drift pass has finished since the portal started.";
            }

            // A pass covers every tenant in the portal: how many, and how long that took, is for those who see them all.
            var ago = Ago(finished);
            return _scope.AllTenants
                ? $"Last pass {ago}: {DriftText.Count(last.Checked, "tenant")} checked in {DriftText.Duration(finished - last.StartedAt)}."
                : $"Last pass {ago}.";
        }
    }

    private string NextPassText => _schedule switch
    {
        null => "",
        // With no pass to show, the line above already says scheduled checks are off.
        { Enabled: false, Last: null } when Running is null => "",
        { Enabled: false } => "Scheduled checks are off.",
        { Current: not null } => $"Every tenant is checked every {DriftText.Duration(_schedule.Interval)}.",
        { NextPassAt: { } next } => $"Next scheduled pass at {DriftText.Moment(next, Time.GetUtcNow().UtcDateTime)} UTC; every tenant is checked every {DriftText.Duration(_schedule.Interval)}.",
        _ => $"Every tenant is checked every {DriftText.Duration(_schedule.Interval)}.",
    };

    private string Ago(DateTime value)
    {
        var age = Time.GetUtcNow().UtcDateTime - value;
        return age < TimeSpan.FromMinutes(1) ? "just now" : $"{DriftText.Duration(TimeSpan.FromMinutes(Math.Floor(age.TotalMinutes)))} ago";
    }

    private string ShownText =>
        _status is null && string.IsNullOrWhiteSpace(_search)
            ? DriftText.Count(_counts.Total, "tenant")
            : $"{_shown.ToString("N0", CultureInfo.InvariantCulture)} of {DriftText.Count(_counts.Total, "tenant")}";

    private string CsvHref => Csv.DownloadHref("/health/tenants", ("status", _status?.ToString()), ("search", _search));

    private string NoMatchText
    {
        get
        {
            var search = string.IsNullOrWhiteSpace(_search) ? null : $"“{_search.Trim()}”";
            return (_status, search) switch
            {
                ({ } status, null) => $"No tenant is {HealthStatusChip.LabelOf(status).ToLowerInvariant()} right now.",
                ({ } status, { } term) => $"No {HealthStatusChip.LabelOf(status).ToLowerInvariant()} tenant matches {term}.",
                (null, { } term) => $"No tenant matches {term}.",
                _ => "No tenants to show.",
            };
        }
    }

    private static string CardHint(TenantHealthStatus status) => status switch
    {
        TenantHealthStatus.Healthy => "Match their setup",
        TenantHealthStatus.Drifted => "Changed or missing in AWS",
        TenantHealthStatus.Pending => "Console steps or changes left",
        TenantHealthStatus.Failing => "The check could not finish",
        _ => "Not checked, or setup still a draft",
    };

    public void Dispose()
    {
        Notifier.Checked -= OnChecked;
        Notifier.PassChanged -= OnPassChanged;
        _refresh?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
