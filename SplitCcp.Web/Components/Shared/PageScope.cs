using Microsoft.AspNetCore.Components.Authorization;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Components.Shared;

/// <summary>
/// The caller's scope for one page of lists: read from <see cref="ITenantAccess"/> on first use, once per page load, and
/// handed to every list query the page makes (a table's pages, a search, a chart), however early the first one asks.
/// </summary>
internal sealed class PageScope(ITenantAccess access, Task<AuthenticationState> authState)
{
    private Task<TenantScope>? _scope;

    public Task<TenantScope> GetAsync() => _scope ??= ReadAsync();

    private async Task<TenantScope> ReadAsync() => await access.GetScopeAsync((await authState).User);
}
