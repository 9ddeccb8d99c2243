using Microsoft.AspNetCore.Components;

namespace SplitCcp.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    /// <summary>Redirects to a local path only; anything else (another host, a protocol-relative URL) goes home, so the return URL cannot be used as an open redirect.</summary>
    public void RedirectTo(string? uri) => navigationManager.NavigateTo(IsLocal(uri) ? uri! : "/");

    internal static bool IsLocal(string? uri) =>
        !string.IsNullOrEmpty(uri) && uri[0] == '/' && (uri.Length == 1 || (uri[1] != '/' && uri[1] != '\\'));
}
