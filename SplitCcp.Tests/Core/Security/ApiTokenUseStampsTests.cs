using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Security;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Core.Security;

public sealed class ApiTokenUseStampsTests : IAsyncLifetime, IDisposable
{
    private readonly StorageFaults _faults = new();
    private readonly WarningLog _warnings = new();
    private CoreTestHost _host = null!;

    private ApiTokenService Tokens => _host.ApiTokens;

    private ApiTokenUseStamps Stamps => _host.Services.GetRequiredService<ApiTokenUseStamps>();

    public async Task InitializeAsync() => _host = await CoreTestHost.StartAsync(configureServices: services =>
    {
        _faults.AddTo(services);
        services.AddSingleton<ILoggerProvider>(_warnings);
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _warnings.Dispose();

    [Fact]
    public async Task AuthenticateAsync_WhileTheDatabaseIsReadOnly_AuthenticatesAndKeepsTheStampUntilItCanBeSaved()
    {
        var user = await _host.CreateOperatorAsync();
        var first = await Tokens.IssueAsync(user.Id, "grafana", readOnly: false);
        var second = await Tokens.IssueAsync(user.Id, "ci", readOnly: true);
        _faults.ReadOnly();
        _host.Time.Advance(TimeSpan.FromMinutes(1));
        var usedAt = _host.Time.GetUtcNow().UtcDateTime;

        (await Tokens.AuthenticateAsync(first.Token, "ApiToken")).Principal.ShouldNotBeNull();
        (await Stamps.SaveAsync()).ShouldBeFalse();
        (await Tokens.AuthenticateAsync(second.Token, "ApiToken")).Principal.ShouldNotBeNull();
        (await Stamps.SaveAsync()).ShouldBeFalse();

        _warnings.From<ApiTokenUseStamps>().Count.ShouldBe(1, "a failing save is logged once, not at every request");
        (await Tokens.ListAsync(user.Id)).ShouldAllBe(t => t.LastUsedAt == null);

        _faults.Clear();
        _host.Time.Advance(StorageProbe.Interval);
        (await _host.Services.GetRequiredService<StorageProbe>().CheckAsync()).ShouldBeNull();

        (await Stamps.SaveAsync()).ShouldBeTrue();
        (await Tokens.ListAsync(user.Id)).Select(t => t.LastUsedAt).ShouldBe([usedAt, usedAt]);
    }

    [Fact]
    public async Task AuthenticateAsync_TokenUsedAgainBeforeItsStampIsSaved_QueuesOneStamp()
    {
        var user = await _host.CreateOperatorAsync();
        var issued = await Tokens.IssueAsync(user.Id, "grafana", readOnly: false);
        _faults.ReadOnly();
        var usedAt = _host.Time.GetUtcNow().UtcDateTime;

        await Tokens.AuthenticateAsync(issued.Token, "ApiToken");
        (await Stamps.SaveAsync()).ShouldBeFalse();
        _host.Time.Advance(TimeSpan.FromMinutes(4));
        await Tokens.AuthenticateAsync(issued.Token, "ApiToken");
        _faults.Clear();
        _host.Time.Advance(StorageProbe.Interval);
        await _host.Services.GetRequiredService<StorageProbe>().CheckAsync();

        (await Stamps.SaveAsync()).ShouldBeTrue();
        (await Tokens.ListAsync(user.Id)).Single().LastUsedAt.ShouldBe(usedAt, "the queued stamp was less than five minutes old");
    }
}
