using SplitCcp.Core.Persistence;

namespace SplitCcp.Tests.Core.Persistence;

public sealed class FreeTextTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("abcde", "abcde")]
    [InlineData("abcdef", "abcd…")]
    [InlineData("abc🎧def", "abc…")]
    [InlineData("ab🎧cdef", "ab🎧…")]
    public void Clip_ToFiveUnits_KeepsWhatFits_AndEndsALongerTextInAnEllipsisWithoutSplittingACharacter(string? text, string? expected)
    {
        var clipped = text.Clip(5);

        clipped.ShouldBe(expected);
        (clipped?.Length ?? 0).ShouldBeLessThanOrEqualTo(5);
    }

    [Fact]
    public void Clip_ByDefault_CutsAtTheFreeTextColumnsLength()
    {
        new string('x', FreeText.MaxLength).Clip().ShouldBe(new string('x', FreeText.MaxLength));
        new string('x', FreeText.MaxLength + 1).Clip().ShouldBe(new string('x', FreeText.MaxLength - 1) + "…");
    }
}
