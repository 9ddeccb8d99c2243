using SplitCcp.Core.Notifications;

namespace SplitCcp.Tests.Core.Notifications;

public sealed class NotificationRulesTests
{
    [Theory]
    [InlineData("https://hooks.slack.com/services/T0/B0/abc")]
    [InlineData("https://receiver.example.com:8443/splitccp?team=ops")]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]:9000/hook")]
    public void An_https_address_or_plain_http_to_this_machine_is_accepted(string url)
    {
        NotificationRules.ValidateUrl(url, allowHttp: false).ShouldBeNull();
    }

    [Theory]
    [InlineData("http://hooks.example.com/hook", "Use https://")]
    [InlineData("http://hooks.internal/hook", "Use https://")]
    [InlineData("https://10.0.0.5/hook", "private network address")]
    [InlineData("https://172.20.1.1/hook", "private network address")]
    [InlineData("https://192.168.1.10/hook", "private network address")]
    [InlineData("https://100.64.0.1/hook", "private network address")]
    [InlineData("https://[fd00::5]/hook", "private network address")]
    [InlineData("https://[::ffff:10.0.0.5]/hook", "private network address")]
    [InlineData("https://user:secret@hooks.example.com/hook", "user name and password")]
    [InlineData("https://hooks.example.com/hook#part", "after #")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[fe80::1]/hook", "link-local")]
    [InlineData("https://0.0.0.0/hook", "unspecified")]
    [InlineData("ftp://hooks.example.com/hook", "starts with https://")]
    [InlineData("hooks.example.com/hook", "starts with https://")]
    [InlineData(" ", "Enter the webhook's address")]
    public void Any_other_address_is_refused_with_the_reason(string url, string reason)
    {
        NotificationRules.ValidateUrl(url, allowHttp: false).ShouldNotBeNull().ShouldContain(reason);
    }

    [Fact]
    public void Plain_http_to_any_host_is_accepted_when_the_portal_allows_it_but_never_to_the_metadata_service()
    {
        NotificationRules.ValidateUrl("http://alerts.internal:8080/hook", allowHttp: true).ShouldBeNull();
        NotificationRules.ValidateUrl("http://169.254.169.254/", allowHttp: true).ShouldNotBeNull();
    }

    [Fact]
    public void A_private_network_address_is_accepted_only_when_the_portal_allows_it()
    {
        NotificationRules.ValidateUrl("https://10.0.0.5/hook", allowHttp: false, allowPrivateNetworks: true).ShouldBeNull();
        NotificationRules.ValidateUrl("https://172.32.0.1/hook", allowHttp: false).ShouldBeNull("172.32/16 is outside 172.16/12");
        NotificationRules.ValidateUrl("https://169.254.169.254/", allowHttp: false, allowPrivateNetworks: true).ShouldNotBeNull("the metadata service never");
    }

    [Fact]
    public void An_address_longer_than_the_column_is_refused()
    {
        NotificationRules.ValidateUrl("https://hooks.example.com/" + new string('a', NotificationRules.MaxUrlLength), allowHttp: false)
            .ShouldBe($"Use at most {NotificationRules.MaxUrlLength} characters.");
    }
}
