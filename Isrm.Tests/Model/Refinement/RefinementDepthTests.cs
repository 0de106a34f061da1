namespace Isrm.Tests.Model.Refinement;

/// <summary>K's one type: parsing, JSON both ways, and the one sentence for a K that is not allowed.</summary>
public sealed class RefinementDepthTests
{
    [Theory]
    [InlineData("8", 8, false, null)]
    [InlineData(" 12 ", 12, false, null)]
    [InlineData("inf", null, true, null)]
    [InlineData("Infinity", null, true, null)]
    [InlineData("∞", null, true, null)]
    [InlineData("-3", -3, false, null)]
    [InlineData("abc", null, false, "abc")]
    public void Parse_reads_numbers_and_inf_and_keeps_anything_else(string text, int? steps, bool infinite, string? invalid)
    {
        RefinementDepth k = RefinementDepth.Parse(text);
        Assert.Equal((steps, infinite, invalid), (k.Steps, k.IsInfinite, k.Invalid));
    }

    [Theory]
    [InlineData("8", 8, false, null)]
    [InlineData("\"inf\"", null, true, null)]
    [InlineData("\"12\"", 12, false, null)]
    [InlineData("\"many\"", null, false, "many")]
    [InlineData("2.5", null, false, "2.5")]
    [InlineData("true", null, false, "True")]
    [InlineData("{\"a\":1}", null, false, "StartObject")]
    public void Json_reads_integers_and_inf_and_keeps_anything_else_for_validation(string json, int? steps, bool infinite, string? invalid)
    {
        RefinementDepth k = JsonSerializer.Deserialize<RefinementDepth>(json);
        Assert.Equal((steps, infinite, invalid), (k.Steps, k.IsInfinite, k.Invalid));
    }

    [Fact]
    public void Json_writes_a_number_or_inf()
    {
        Assert.Equal("8", JsonSerializer.Serialize(RefinementDepth.Of(8)));
        Assert.Equal("\"inf\"", JsonSerializer.Serialize(RefinementDepth.Infinite));
    }

    [Theory]
    [InlineData("8", 256, null)]
    [InlineData("inf", 3, null)]
    [InlineData("0", 256, "k must be an integer from 1 to 256 or \"inf\"; got 0.")]
    [InlineData("300", 256, "k must be an integer from 1 to 256 or \"inf\"; got 300.")]
    [InlineData("lots", 4, "k must be an integer from 1 to 4 or \"inf\"; got 'lots'.")]
    public void Problem_says_in_one_sentence_what_is_allowed(string text, int cap, string? expected)
    {
        Assert.Equal(expected, RefinementDepth.Parse(text).Problem(cap));
    }

    [Fact]
    public void Lists_are_checked_against_the_cap_and_finite_lists_refuse_inf()
    {
        Assert.Equal([RefinementDepth.Of(1), RefinementDepth.Of(8), RefinementDepth.Infinite], RefinementDepth.ParseList("1, 8,inf", 64, "--k"));
        Assert.Equal("--k must be an integer from 1 to 64 or \"inf\"; got 65.",
            Assert.Throws<ArgumentException>(() => RefinementDepth.ParseList("1,65", 64, "--k")).Message);
        Assert.Equal("--loops takes finite K values such as 1,8,32 (got 'inf').",
            Assert.Throws<ArgumentException>(() => RefinementDepth.ParseFiniteList("8,inf", 64, "--loops")).Message);
    }

    [Fact]
    public void K_carries_its_cap_and_the_limit_of_infinity_is_the_cap()
    {
        Assert.Equal(RefinementDepth.DefaultCap, RefinementDepth.Infinite.Limit());
        Assert.Equal(40, RefinementDepth.Infinite.Capped(40).Limit());
        Assert.Equal(8, RefinementDepth.Of(8).Capped(256).Limit());
        Assert.Equal(2048, RefinementDepth.Of(2048).Cap);   // a fixed K above the default cap is its own cap
        Assert.Equal(64, RefinementDepth.Parse("inf").Checked(64, "--k").Cap);   // checked at the edge, carried to the loop
        Assert.Equal("k must be an integer from 1 to 16 or \"inf\"; got 17.", RefinementDepth.Of(17).Capped(16).Problem());
        // the same K under another cap is the same K
        Assert.Equal(RefinementDepth.Of(8), RefinementDepth.Of(8).Capped(16));
        Assert.Equal(RefinementDepth.Infinite, RefinementDepth.Infinite.Capped(16));
        Assert.Throws<ArgumentException>(() => RefinementDepth.Infinite.Capped(0));
        Assert.Equal("∞", RefinementDepth.Infinite.Show());
    }
}
