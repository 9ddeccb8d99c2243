namespace SplitCcp.Core;

/// <summary>
/// The portal's address as its users reach it (<c>SplitCcp:PortalUrl</c>), for the links the portal sends out of itself:
/// in mail, and in notifications. One setting for both, so the two cannot point to different places. Taken from the
/// settings, never from a request, whose Host header the sender chooses.
/// </summary>
public static class PortalAddress
{
    public const string SettingName = "SplitCcp:PortalUrl";

    /// <summary>
    /// <paramref name="own"/> when a section still sets its own (the older <c>SplitCcp:Mail:PortalUrl</c> and
    /// <c>SplitCcp:Notifications:PortalUrl</c>, still read), else the shared setting.
    /// </summary>
    internal static string? Resolve(string? own, Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        string.IsNullOrWhiteSpace(own) ? configuration[SettingName] : own;
}
