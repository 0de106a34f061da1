namespace Isrm.Tests.Web;

/// <summary>A puzzle run shared as a link: the same instance, checkpoint and K open again; a bad value is one sentence.</summary>
public sealed class PuzzleLinkTests
{
    private static readonly PuzzleOptions Limits = PuzzleViewFixtures.Limits;
    private static readonly CheckpointListing Maze = PuzzleViewFixtures.Maze, Bits = PuzzleViewFixtures.Bits;

    private static Dictionary<string, string> Query(string link) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(link).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

    private static async IAsyncEnumerable<RefinementFrame> Never(SolveRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        await Task.Delay(Timeout.Infinite, cancellation);
        yield break;
    }

    [Fact]
    public async Task A_generated_instance_travels_by_seed_and_an_edited_one_by_its_packed_text()
    {
        var view = new PuzzleView(Never, Limits);
        await view.LoadCheckpointsAsync([Maze, Bits]);
        view.Size = 7;
        view.Seed = 11;
        view.Generator = "prim";
        view.Infinite = false;
        view.KIndex = view.KLadder.ToList().IndexOf(32);
        await view.NewInstanceAsync();
        string link = view.ShareQuery();
        Assert.Contains("seed=11", link);

        var again = new PuzzleView(Never, Limits);
        await again.LoadCheckpointsAsync([Maze, Bits]);
        await again.OpenLinkAsync(Query(link.Replace("&run=1", "")));
        Assert.Null(again.Error);
        Assert.Equal(view.InputText, again.InputText);
        Assert.Equal(("maze-a", false, 32), (again.Checkpoint, again.Infinite, again.K));

        string edited = view.InputText.Replace("S", ".").Remove(view.InputText.IndexOf('.', 20), 1).Insert(view.InputText.IndexOf('.', 20), "S");
        await view.SetInputAsync(view.InputText);   // a pasted instance: no seed, its text packed into the link
        string pasted = view.ShareQuery();
        Assert.Contains("text=", pasted);
        Assert.DoesNotContain("seed=", pasted);
        var third = new PuzzleView(Never, Limits);
        await third.LoadCheckpointsAsync([Maze, Bits]);
        await third.OpenLinkAsync(Query(pasted.Replace("&run=1", "")));
        Assert.Equal(view.InputText, third.InputText);
        Assert.True(pasted.Length < view.InputText.Length, $"{pasted.Length} characters for a {view.InputText.Length}-character maze");
    }

    [Theory]
    [InlineData("?task=sudoku", "task must be mazes or prefix-sums")]
    [InlineData("?task=mazes&checkpoint=other", "checkpoint 'other'")]
    [InlineData("?task=mazes&k=9", "k must be inf or one of")]
    [InlineData("?task=mazes&k=0", "k must be inf or one of")]
    [InlineData("?task=mazes&size=0", "size must be a whole number")]
    [InlineData("?task=mazes&size=500&seed=1", "outside what this server solves")]
    [InlineData("?task=mazes&text=%%%", "not an instance this page packed")]
    public async Task A_bad_link_is_one_sentence_and_nothing_runs(string link, string expected)
    {
        var view = new PuzzleView(Never, Limits);
        await view.LoadCheckpointsAsync([Maze, Bits]);
        await view.OpenLinkAsync(Query(link + "&run=1"));
        Assert.Contains(expected, view.Status);
        Assert.False(view.IsRunning);
    }
}
