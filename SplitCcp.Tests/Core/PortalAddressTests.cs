using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Mail;
using SplitCcp.Core.Notifications;

namespace SplitCcp.Tests.Core;

public sealed class PortalAddressTests
{
    private static Dictionary<string, string?> Mail => new()
    {
        ["SplitCcp:Mail:Host"] = "smtp.msp.example",
        ["SplitCcp:Mail:From"] = "portal@msp.example",
    };

    [Fact]
    public async Task OneSetting_GivesMailAndNotificationsTheSameAddress()
    {
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>(Mail) { ["SplitCcp:PortalUrl"] = "https://portal.msp.example" });

        host.Services.GetRequiredService<IMailSender>().PortalUrl.ShouldBe(new Uri("https://portal.msp.example/"));
        host.Services.GetRequiredService<IOptionsMonitor<NotificationOptions>>().CurrentValue.PortalUrl.ShouldBe(new Uri("https://portal.msp.example"));
    }

    [Fact]
    public async Task OlderPerSectionSettings_AreStillRead()
    {
        await using var host = await CoreTestHost.StartAsync(new Dictionary<string, string?>(Mail)
        {
            ["SplitCcp:Mail:PortalUrl"] = "https://mail.msp.example",
            ["SplitCcp:Notifications:PortalUrl"] = "https://notify.msp.example",
            ["SplitCcp:PortalUrl"] = "https://portal.msp.example",
        });

        host.Services.GetRequiredService<IMailSender>().PortalUrl.ShouldBe(new Uri("https://mail.msp.example/"));
        host.Services.GetRequiredService<IOptionsMonitor<NotificationOptions>>().CurrentValue.PortalUrl.ShouldBe(new Uri("https://notify.msp.example"));
    }

    [Fact]
    public async Task NoAddress_LeavesNotificationsWithoutLinks()
    {
        await using var host = await CoreTestHost.StartAsync();

        host.Services.GetRequiredService<IOptionsMonitor<NotificationOptions>>().CurrentValue.PortalUrl.ShouldBeNull();
    }

    [Fact]
    public async Task AddressThatIsNotAbsolute_IsRefusedNamingTheSharedSetting()
    {
        var failure = await Should.ThrowAsync<OptionsValidationException>(() => CoreTestHost.StartAsync(new Dictionary<string, string?> { ["SplitCcp:PortalUrl"] = "portal.msp.example" }));

        failure.Message.ShouldContain("SplitCcp:PortalUrl must be the portal's absolute http(s) address");
    }
}
