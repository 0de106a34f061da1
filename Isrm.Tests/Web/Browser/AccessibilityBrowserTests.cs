namespace Isrm.Tests.Web.Browser;

/// <summary>Phone layout, contrast, names, keyboard and headings (issue 18, point 7), checked by axe-core in Chromium.</summary>
public sealed class AccessibilityBrowserTests(LiveViewFixture app, ITestOutputHelper output) : LiveViewTests(app, output)
{
    [Fact]
    public async Task Axe_finds_no_serious_violation_on_chat_compare_and_training()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.AnswerAsync(page, k: 8, maxTokens: 6, "The cat");
        await Expect(page.Locator("#trajectory")).ToHaveAttributeAsync("data-steps", "8");
        await AssertNoSeriousViolationsAsync(page, "chat");
        await page.Locator("[data-testid=token]").First.ClickAsync();   // a token opened: the scrubber's step detail shows
        await Expect(page.Locator("[data-testid=step-detail]")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(page, "chat, a token opened");

        await page.Locator("[data-testid=nav-compare]").ClickAsync();
        await page.Locator("[data-testid=compare-prompt]").FillAsync("Once");
        await page.Locator("[data-testid=compare-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=compare-stop]")).ToBeEnabledAsync();
        await AssertNoSeriousViolationsAsync(page, "compare while running");
        await Expect(page.Locator("[data-testid=compare-right] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=compare-kl]")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(page, "compare");

        await page.Locator("[data-testid=nav-training]").ClickAsync();
        await Expect(page.Locator("[data-testid=training-chart]")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(page, "training");
    }

    [Fact]
    public async Task The_grid_is_reachable_by_keyboard_with_aa_contrast_and_the_prompt_comes_early_in_the_tab_order()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.AnswerAsync(page, k: 6, maxTokens: 5, "Hello");

        ILocator grid = page.Locator("[data-testid=step-grid]");
        // the grid writes its contrast once drawn, which may come a frame after the turn is done
        await Expect(grid).ToHaveAttributeAsync("data-min-contrast", new System.Text.RegularExpressions.Regex(@"\d"));
        double contrast = double.Parse(await grid.GetAttributeAsync("data-min-contrast") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Output.WriteLine($"lowest text contrast drawn in the grid: {contrast:0.00}:1");
        Assert.True(contrast >= 4.5, $"grid text contrast {contrast}:1 is under WCAG AA");
        double ramp = await page.EvaluateAsync<double>("async () => (await import('/js/step-grid.js')).rampContrast()");
        Output.WriteLine($"lowest text contrast over the whole probability ramp: {ramp:0.00}:1");
        LiveViewFigures.Record("rampContrast", ramp);
        Assert.True(ramp >= 4.5, $"some probability's cell text reaches only {ramp}:1");

        await page.Locator(".grid-scroll").FocusAsync();
        await Expect(page.Locator(".grid-live")).ToContainTextAsync("token #4, step 1");   // starts on the token the chart shows
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(page.Locator(".grid-live")).ToContainTextAsync("token #2, step 2");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-testid=trajectory-title]")).ToContainTextAsync("token #2");
        await Expect(page.Locator("[data-testid=step-label]")).ToHaveTextAsync("step 2 of 6");

        // from the top of the page, Tab reaches the prompt box after the navigation and each turn's buttons, not after every token
        await page.Locator("body").FocusAsync();
        await page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
        int stops = 0;
        while (stops < 40 && await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.testid ?? ''") != "prompt")
        {
            await page.Keyboard.PressAsync("Tab");
            stops++;
        }
        Output.WriteLine($"tab stops before the prompt: {stops}");
        LiveViewFigures.Record("tabStopsToPrompt", stops);
        Assert.True(stops <= 12, $"{stops} tab stops before the prompt");
    }

    [Fact]
    public async Task At_phone_width_nothing_is_clipped_and_compare_stacks()
    {
        (IPage page, _) = await App.OpenAsync("/", width: 390, height: 844);
        await Chat.AnswerAsync(page, k: 8, maxTokens: 6, "The cat");
        await AssertFitsAsync(page);
        var title = (await page.Locator(".app-title").BoundingBoxAsync())!;
        var nav = (await page.Locator(".app-nav").BoundingBoxAsync())!;
        Assert.True(title.X + title.Width <= nav.X, "the header's title runs under its navigation");
        Assert.True(nav.X + nav.Width <= 390, "the navigation is clipped");
        await LiveViewFixture.ShotAsync(page, "18-phone-chat.png");

        await page.Locator("[data-testid=nav-compare]").ClickAsync();
        await page.Locator("[data-testid=compare-prompt]").FillAsync("Once");
        await page.Locator("[data-testid=compare-run]").ClickAsync();
        await Expect(page.Locator("[data-testid=compare-right] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=compare-left] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done");
        await page.WaitForTimeoutAsync(300);   // the last draw of both charts
        var left = (await page.Locator("[data-testid=compare-left]").BoundingBoxAsync())!;
        var right = (await page.Locator("[data-testid=compare-right]").BoundingBoxAsync())!;
        Assert.True(left.Y + left.Height <= right.Y, $"the compare panes are side by side at phone width: left {left.X},{left.Y} {left.Width}×{left.Height}, right {right.X},{right.Y}");
        var chart = (await page.Locator("#compare-left-chart").BoundingBoxAsync())!;
        Output.WriteLine($"phone: compare chart {chart.Width:0} px wide");
        LiveViewFigures.Record("phoneCompareChartPx", chart.Width);
        Assert.True(chart.Width >= 300, $"the compare chart is only {chart.Width} px wide");
        await AssertFitsAsync(page);
        await LiveViewFixture.ShotAsync(page, "19-phone-compare.png");
    }

    [Fact]
    public async Task The_intervention_controls_are_named_reached_by_keyboard_pass_axe_and_fit_a_phone()
    {
        (IPage page, _) = await App.OpenAsync("/compare?checkpoint=tiny&prompt=Once&k=6&maxTokens=4&temperature=0&at=1&step=2&change=scale&value=2&run=1", width: 390, height: 844);
        await Expect(page.Locator("[data-testid=compare-right] [data-testid=compare-status]")).ToHaveAttributeAsync("data-status", "done", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-testid=intervention-divergence]")).ToBeVisibleAsync();
        await AssertNoSeriousViolationsAsync(page, "compare with an intervention");
        await AssertFitsAsync(page);
        await LiveViewFixture.ShotAsync(page, "23-phone-intervention.png");

        // keyboard: from the prompt, Tab reaches the intervention's switch and its fields; Space turns it off and on
        await page.Locator("[data-testid=compare-prompt]").FocusAsync();
        int stops = 0;
        while (stops < 20 && await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.testid ?? ''") != "intervene-on")
        {
            await page.Keyboard.PressAsync("Tab");
            stops++;
        }
        Output.WriteLine($"tab stops from the prompt to the intervention switch: {stops}");
        Assert.True(stops < 20, "Tab never reached the intervention switch");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("intervene-at", await page.EvaluateAsync<string>("() => document.activeElement?.dataset?.testid ?? ''"));
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("[data-testid=intervene-at]")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("[data-testid=intervene-change]")).ToHaveValueAsync("Scale");
        foreach (string field in new[] { "intervene-at", "intervene-step", "intervene-change", "intervene-value" })
        {
            string name = await page.Locator($"[data-testid={field}]").EvaluateAsync<string>("e => e.labels && e.labels.length ? e.labels[0].textContent.trim() : ''");
            Assert.False(string.IsNullOrEmpty(name), $"{field} has no label");
        }
    }

    private static async Task AssertFitsAsync(IPage page)
    {
        int width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        LiveViewFigures.Max("phonePageWidthPx", width);
        Assert.True(width <= 390, $"the page is {width} px wide at a 390 px viewport");
    }

    private async Task AssertNoSeriousViolationsAsync(IPage page, string name)
    {
        IReadOnlyList<Axe.Violation> violations = await Axe.SeriousViolationsAsync(page);
        foreach (Axe.Violation v in violations) Output.WriteLine($"{name}: {v}");
        LiveViewFigures.Record($"axe {name}", violations.Count);
        Assert.Empty(violations);
    }

}
