namespace Isrm.Tests.Web;

/// <summary>
/// The Puzzles page in Debian's Chromium against tiny trained puzzle checkpoints: a maze at a fixed K, the scrubber,
/// a size beyond the limit, prefix sums at K = ∞ with the space-time picture. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class PuzzleBrowserTests : BrowserHost
{
    private static readonly string Screenshots = Path.Combine(Repository.Root, "TestResults", "screenshots");

    private readonly TempCheckpointsRoot _folder = TinyPuzzleCheckpoints.Folder();

    protected override async Task<IsrmWebApp> CreateAppAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(Screenshots);
        // An accuracy-vs-K file in the shape isrm solve --json writes (test data, not a measurement).
        await File.WriteAllTextAsync(Path.Combine(_folder.Root, "maze-tiny", "solve.json"), """
            {"task":"mazes","results":[
             {"size":5,"k":"1","instances":20,"solved":0,"accuracy":0.0,"positionAccuracy":0.7,"meanK":null},
             {"size":5,"k":"4","instances":20,"solved":6,"accuracy":0.3,"positionAccuracy":0.9,"meanK":null},
             {"size":5,"k":"16","instances":20,"solved":15,"accuracy":0.75,"positionAccuracy":0.98,"meanK":null},
             {"size":5,"k":"64","instances":20,"solved":16,"accuracy":0.8,"positionAccuracy":0.99,"meanK":null},
             {"size":8,"k":"16","instances":20,"solved":4,"accuracy":0.2,"positionAccuracy":0.9,"meanK":null},
             {"size":8,"k":"64","instances":20,"solved":12,"accuracy":0.6,"positionAccuracy":0.97,"meanK":null}]}
            """);
        return new IsrmWebApp(_folder.Root, settings: PuzzleAppFixture.Limits());
    }

    protected override void CleanUp()
    {
        _folder.Dispose();
    }

    [Fact]
    public async Task A_maze_solves_live_at_k_16_scrubs_back_refuses_a_huge_size_and_prefix_sums_draw_their_space_time()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error" || m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync(new Uri(Base, "/puzzles").ToString());

        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A maze of 8×8 cells");
        await Expect(page.Locator("[data-testid=puzzle-grid]")).ToHaveAttributeAsync("data-step", "0");
        await page.Locator("[data-testid=puzzle-size]").FillAsync("5");
        await page.Locator("[data-testid=puzzle-size]").DispatchEventAsync("change");
        await page.Locator("[data-testid=puzzle-new]").ClickAsync();
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A maze of 5×5 cells (11×11 grid)");
        Assert.Equal(11, (await page.Locator("[data-testid=puzzle-input]").InputValueAsync()).Split('\n').Length);

        await page.Locator("[data-testid=k-infinite]").UncheckAsync();
        int index16 = Isrm.Web.State.PuzzleView.Ladder(PuzzleAppFixture.MaxK).ToList().IndexOf(16);
        await page.Locator("[data-testid=k-slider]").FillAsync(index16.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("[data-testid=k-value]")).ToHaveTextAsync("K = 16");
        await page.Locator("[data-testid=puzzle-solve]").ClickAsync();

        await Expect(page.Locator("[data-testid=puzzle-status]")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("16 steps");
        await Expect(page.Locator("[data-testid=puzzle-grid]")).ToHaveAttributeAsync("data-frames", "12");   // steps 1–8, then every 2nd (DenseSteps = 8)
        await Expect(page.Locator("[data-testid=puzzle-grid]")).ToHaveAttributeAsync("data-step", "16");
        await Expect(page.Locator("[data-testid=puzzle-curve] polyline")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-testid=puzzle-curve-marker]")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=step-scrubber]").FillAsync("3");
        await Expect(page.Locator("[data-testid=step-label]")).ToContainTextAsync("step 3 (3 of 12 frames)");
        await Expect(page.Locator("[data-testid=puzzle-grid]")).ToHaveAttributeAsync("data-step", "3");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "06-puzzles-maze.png"), FullPage = true });

        await page.Locator("[data-testid=puzzle-size]").FillAsync("500");
        await page.Locator("[data-testid=puzzle-size]").DispatchEventAsync("change");
        await page.Locator("[data-testid=puzzle-new]").ClickAsync();
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToHaveTextAsync(
            "Size 500 is outside what this server solves for mazes (2–8, the n of an n×n maze); choose a size in that range.");
        await Expect(page.Locator("[data-testid=puzzle-solve]")).ToBeDisabledAsync();

        await page.Locator("[data-testid=puzzle-task]").SelectOptionAsync("prefix-sums");
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A string of 32 bits");
        await page.Locator("[data-testid=k-infinite]").CheckAsync();
        await page.Locator("[data-testid=puzzle-solve]").ClickAsync();
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=puzzle-spacetime]")).Not.ToHaveAttributeAsync("data-rows", "0");
        Assert.True(int.Parse(await page.Locator("[data-testid=puzzle-spacetime]").GetAttributeAsync("data-rows") ?? "0") > 1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "07-puzzles-prefix-sums.png"), FullPage = true });
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_maze_is_edited_on_the_canvas_by_clicks_and_a_drag_and_a_broken_edit_gets_the_pasted_maze_s_sentence()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync(new Uri(Base, "/puzzles").ToString());
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A maze of 8×8 cells");
        const string maze = "#######\n#S....#\n#.###.#\n#.#...#\n#.#.#.#\n#...#E#\n#######";   // two routes; the top one is shorter
        await page.Locator("[data-testid=puzzle-input]").FillAsync(maze);
        await page.Locator("[data-testid=puzzle-input]").DispatchEventAsync("change");
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A maze of 3×3 cells (7×7 grid)");
        await Expect(page.Locator("[data-testid=maze-edit-hint]")).ToBeVisibleAsync();

        ILocator grid = page.Locator("[data-testid=puzzle-grid]");
        await Expect(grid).ToHaveAttributeAsync("data-size", "7x7");   // laid out for the pasted maze before its box is read
        var box = (await grid.BoundingBoxAsync())!;
        (float X, float Y) Cell(int row, int col) => (box.X + (col + 0.5f) * box.Width / 7, box.Y + (row + 0.5f) * box.Height / 7);
        async Task<string> Row(int row) => (await page.Locator("[data-testid=puzzle-input]").InputValueAsync()).Split('\n')[row];

        var (x, y) = Cell(3, 3);
        await page.Mouse.ClickAsync(x, y);                                          // floor → wall
        await Expect(page.Locator("[data-testid=puzzle-input]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("#\\.##\\.\\.#"));
        var (sx, sy) = Cell(1, 1);
        var (tx, ty) = Cell(3, 1);
        await page.Mouse.MoveAsync(sx, sy);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(tx, ty, new MouseMoveOptions { Steps = 4 });
        await page.Mouse.UpAsync();                                                 // S dragged two cells down
        await Expect(page.Locator("[data-testid=puzzle-input]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("#S##"));
        Assert.Equal("#.....#", await Row(1));
        await Expect(page.Locator("[data-testid=puzzle-solve]")).ToBeEnabledAsync();

        var (ex, ey) = Cell(4, 5);
        await page.Mouse.ClickAsync(ex, ey);                                        // walls E in: the sentence a pasted maze gets
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("no path from S to E");
        await Expect(page.Locator("[data-testid=puzzle-solve]")).ToBeDisabledAsync();
        await page.Mouse.ClickAsync(ex, ey);                                        // and the same click undoes it
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("A maze of 3×3 cells");
        await Expect(page.Locator("[data-testid=puzzle-solve]")).ToBeEnabledAsync();
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_link_with_an_intervention_solves_the_original_and_the_changed_copy_side_by_side_and_says_where_they_part()
    {
        IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        await page.GotoAsync(new Uri(Base, "/puzzles?task=mazes&checkpoint=maze-tiny&size=5&seed=3&k=16&step=4&change=scale&value=3&run=1").ToString());
        await Expect(page.Locator("[data-testid=twin-status]")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=puzzle-status]")).ToHaveAttributeAsync("data-state", "done");
        await Expect(page.Locator("[data-testid=puzzle-intervened]")).ToContainTextAsync("Intervened: after step 4: state × 3");
        await Expect(page.Locator("[data-testid=puzzle-divergence]")).ToContainTextAsync("Original: ");
        await Expect(page.Locator("[data-testid=puzzle-divergence]")).ToContainTextAsync("intervened (after step 4: state × 3): ");
        await Expect(page.Locator("[data-testid=puzzle-grid]")).ToHaveCountAsync(2);
        // both canvases drew all 16 steps; the scrubber moves both
        await Expect(page.Locator("[data-testid=puzzle-grid]").Nth(1)).ToHaveAttributeAsync("data-step", "16");
        await page.Locator("[data-testid=step-scrubber]").FillAsync("3");
        await Expect(page.Locator("[data-testid=puzzle-grid]").Nth(0)).ToHaveAttributeAsync("data-step", "3");
        await Expect(page.Locator("[data-testid=puzzle-grid]").Nth(1)).ToHaveAttributeAsync("data-step", "3");
        string said = await page.Locator("[data-testid=puzzle-divergence]").TextContentAsync() ?? "";
        Assert.DoesNotMatch(@"part at step [1-4] ", said);   // steps 1-4 come before the intervention
        await Expect(page.Locator("[data-testid=share-link]")).ToContainTextAsync("&step=4&change=scale&value=3");

        // the solve as one HTML file: offline, from disk, its grid replays the original's steps
        string file = Path.Combine(Path.GetTempPath(), $"isrm-solve-{Guid.NewGuid():N}.html");
        try
        {
            IDownload download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=export-html]").ClickAsync());
            await download.SaveAsAsync(file);
            string appSays = await page.Locator("[data-testid=step-label]").TextContentAsync() ?? "";   // "step 3 (3 of 12 frames): N of 121 right"
            IBrowserContext offline = await Chromium.NewContextAsync(new BrowserNewContextOptions { Offline = true });
            IPage replay = await offline.NewPageAsync();
            await replay.GotoAsync(new Uri(file).AbsoluteUri);
            await Expect(replay.Locator("[data-testid=replay-grid]")).ToHaveAttributeAsync("data-step", "16");
            await replay.Locator("[data-testid=replay-step]").FillAsync("3");
            await Expect(replay.Locator("[data-testid=replay-grid]")).ToHaveAttributeAsync("data-step", "3");
            string right = System.Text.RegularExpressions.Regex.Match(appSays, @"(\d+) of (\d+) right").Groups[1].Value;
            await Expect(replay.Locator("[data-testid=replay-grid]")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex($"^step 3: {right} of 121 cells right"));
            await offline.CloseAsync();
        }
        finally { File.Delete(file); }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "22-puzzles-intervention.png"), FullPage = true });

        await page.GotoAsync(new Uri(Base, "/puzzles?task=mazes&checkpoint=maze-tiny&size=5&seed=3&k=16&step=40&change=random&run=1").ToString());
        await Expect(page.Locator("[data-testid=twin-status]")).ToContainTextAsync("The intervention comes after step 40, but the run ends at step 16 (K = 16): pick a step below 16.", new() { Timeout = 60_000 });
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_link_with_several_starts_draws_every_run_says_how_they_end_and_gives_the_same_runs_when_opened_again()
    {
        var said = new List<string>();
        for (int open = 0; open < 2; open++)
        {
            IPage page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
            await page.GotoAsync(new Uri(Base, "/puzzles?task=mazes&checkpoint=maze-tiny&size=5&seed=3&k=32&starts=6&startSeed=2&run=1").ToString());
            await Expect(page.Locator("[data-testid=puzzle-status]")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
            await Expect(page.Locator("[data-testid=paths-summary]")).ToContainTextAsync("How the runs end:");
            await Expect(page.Locator("[data-testid=paths-view] h2")).ToHaveTextAsync("The same instance from 6 starting states");
            // six runs of cells right, five distances (the own start's is 0) and the count of different answers
            await page.WaitForFunctionAsync("() => (document.getElementById('paths-chart')?.data || []).length === 12");
            await Expect(page.Locator("[data-testid=share-link]")).ToContainTextAsync("&starts=6&startSeed=2");
            said.Add(await page.Locator("[data-testid=paths-summary]").TextContentAsync() ?? "");
            if (open == 0)
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "24-puzzles-paths.png"), FullPage = true });
                // the new controls and views pass axe, with the intervention's fields open too, and fit a phone
                await page.Locator("[data-testid=intervene-on]").CheckAsync();
                await Expect(page.Locator("[data-testid=intervene-step]")).ToBeVisibleAsync();
                var violations = await Browser.Axe.SeriousViolationsAsync(page);
                Assert.True(violations.Count == 0, string.Join("; ", violations));
                await page.SetViewportSizeAsync(390, 844);
                await page.WaitForTimeoutAsync(300);
                int width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
                Assert.True(width <= 390, $"the Puzzles page is {width} px wide at a 390 px viewport");
                // keyboard: the switch and its fields are reached by Tab and named by their labels
                await page.Locator("[data-testid=intervene-on]").FocusAsync();
                await page.Keyboard.PressAsync("Tab");
                Assert.Equal("intervene-step", await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.testid ?? ''"));
                Assert.Equal("after step", (await page.Locator("[data-testid=intervene-step]").EvaluateAsync<string>("e => e.labels[0].textContent")).Trim());
            }
            await page.CloseAsync();
        }
        Assert.Equal(said[0], said[1]);

        IPage bad = await Chromium.NewPageAsync();
        await bad.GotoAsync(new Uri(Base, "/puzzles?task=mazes&checkpoint=maze-tiny&size=5&starts=40").ToString());
        await Expect(bad.Locator("[data-testid=puzzle-status]")).ToContainTextAsync("The link's starts must be a whole number from 1 to 16; got '40'.");
        await bad.CloseAsync();
    }

}
