using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Web.Components.Drift;

namespace SplitCcp.Tests.Components.Drift;

public sealed class DriftTextTests
{
    private static readonly DateTime s_now = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(0.4, "0 ms")]
    [InlineData(850, "850 ms")]
    [InlineData(4_249, "4.2 s")]
    [InlineData(60_000, "1 min")]
    [InlineData(185_000, "3 min 5 s")]
    [InlineData(4_800_000, "1 h 20 min")]
    public void Duration_Span_ReadsInTheLargestSensibleUnit(double milliseconds, string expected) =>
        DriftText.Duration(TimeSpan.FromMilliseconds(milliseconds)).ShouldBe(expected);

    [Theory]
    [InlineData("2026-03-01T10:05:00Z", "10:05")]
    [InlineData("2026-02-27T10:05:00Z", "Feb 27 10:05")]
    [InlineData("2025-12-31T23:59:00Z", "2025-12-31 23:59")]
    public void Moment_Value_IsAsShortAsItsDistanceFromNowAllows(string value, string expected) =>
        DriftText.Moment(DateTime.Parse(value, null, System.Globalization.DateTimeStyles.AdjustToUniversal), s_now).ShouldBe(expected);

    [Fact]
    public void Value_JsonObject_IsIndentedWithItsTextKept()
    {
        var shown = DriftText.Value("{\"Sid\":\"a+b <é>\",\"Origins\":[\"https://x.example\"]}");

        shown.ShouldBe("{\n  \"Sid\": \"a+b <é>\",\n  \"Origins\": [\n    \"https://x.example\"\n  ]\n}");
    }

    [Theory]
    [InlineData("acme-ccp")]
    [InlineData("{not json")]
    [InlineData("[")]
    [InlineData("")]
    public void Value_NotAJsonObjectOrArray_IsShownAsItIs(string value) => DriftText.Value(value).ShouldBe(value);

    [Fact]
    public void Stretch_SeveralChecks_SaysFromWhenToWhenHowOftenAndHowMuch()
    {
        var entry = new DriftHistoryEntry(Guid.NewGuid(), TenantHealthStatus.Drifted, s_now.AddHours(-2), s_now.AddHours(-1.5), 7, 2, 0, null, []);

        DriftText.Stretch(entry, s_now).ShouldBe("Drifted from 10:00 to 10:30, 7 checks, 2 resources out of line");
    }

    [Fact]
    public void Stretch_OneCheck_SaysWhenWithErrors()
    {
        var entry = new DriftHistoryEntry(Guid.NewGuid(), TenantHealthStatus.Failing, s_now.AddDays(-1), s_now.AddDays(-1), 1, 0, 1, "Timed out.", []);

        DriftText.Stretch(entry, s_now).ShouldBe("Failing at Feb 28 12:00, 1 check, 1 error");
    }
}
