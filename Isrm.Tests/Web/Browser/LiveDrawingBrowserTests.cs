using System.Globalization;

namespace Isrm.Tests.Web.Browser;

/// <summary>The chat draws at the model's pace, stops at once, and its chart reads well (issue 18, points 1, 2 and 5).</summary>
public sealed class LiveDrawingBrowserTests(LiveViewFixture app, ITestOutputHelper output) : LiveViewTests(app, output)
{
    [Fact]
    public async Task At_k_64_and_64_tokens_the_page_is_fully_drawn_within_three_seconds_of_the_models_done_frame_and_prints_the_lag()
    {
        (IPage page, List<string> blocked) = await App.OpenAsync("/");
        await Chat.SetUpAsync(page, k: 64, maxTokens: 64);
        await Chat.SendAsync(page, "The cat sat on");

        await Chat.DoneAsync(page, timeoutMs: 120_000);
        var closing = System.Diagnostics.Stopwatch.StartNew();
        await Expect(page.Locator("[data-testid=stop]")).ToBeDisabledAsync();   // the stream has closed: the page is ready for the next prompt
        Output.WriteLine($"Stop disabled {closing.ElapsedMilliseconds} ms after the done status showed.");
        await page.WaitForFunctionAsync("() => { const g = document.querySelector('[data-testid=step-grid]'); return g.dataset.cells === '4096' && g.dataset.finalDrawnAt; }");
        GenerationTiming run = App.Timing.Runs.Last();
        long gridDrawn = long.Parse(await page.Locator("[data-testid=step-grid]").GetAttributeAsync("data-final-drawn-at") ?? "0", CultureInfo.InvariantCulture);
        long chartDrawn = long.Parse(await page.Locator("#trajectory").GetAttributeAsync("data-drawn-at") ?? "0", CultureInfo.InvariantCulture);
        double lagMs = Math.Max(gridDrawn, chartDrawn) - run.DoneAt!.Value.ToUnixTimeMilliseconds();
        long received = long.Parse(await page.Locator("[data-testid=turn-status]").Last.GetAttributeAsync("data-done-at") ?? "0", CultureInfo.InvariantCulture);
        Output.WriteLine($"the done frame reached the page's circuit {received - run.DoneAt.Value.ToUnixTimeMilliseconds()} ms after the model emitted it");
        Output.WriteLine($"K = 64 × 64 tokens: {run.Steps} steps; fully drawn {lagMs:0} ms after the model's done frame (grid {gridDrawn - run.DoneAt.Value.ToUnixTimeMilliseconds()} ms, chart {chartDrawn - run.DoneAt.Value.ToUnixTimeMilliseconds()} ms).");

        LiveViewFigures.Record("k64DrawnAfterDoneMs", lagMs);
        LiveViewFigures.Record("k64DoneFrameToCircuitMs", received - run.DoneAt.Value.ToUnixTimeMilliseconds());
        Assert.Equal(64 * 64, run.Steps);
        // The goal (within 0.5 s) is the figure printed above; speed goals are read from measurements, so the assertion
        // only guards against the page falling seconds behind (inside the loaded full suite it once measured 852 ms).
        Assert.True(lagMs < 3000, $"drawn {lagMs:0} ms after the done frame");
        Assert.Equal("64", await page.Locator("[data-testid=step-grid]").GetAttributeAsync("data-rows"));
        Assert.Equal("64", await page.Locator("[data-testid=step-grid]").GetAttributeAsync("data-columns"));
        Assert.Equal("64", await page.Locator("#trajectory").GetAttributeAsync("data-steps"));
        await Expect(page.Locator("[data-testid=turn-status]").Last).ToContainTextAsync("all drawn");
        await LiveViewFixture.ShotAsync(page, "10-k64-64-tokens.png");
        Assert.Empty(blocked);
    }

    [Fact]
    public async Task Stop_and_escape_show_the_turn_stopped_within_three_seconds_and_stop_the_model_within_one_step()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.SetUpAsync(page, k: 256, maxTokens: 128);
        ILocator grid = page.Locator("[data-testid=step-grid]");

        foreach (string how in new[] { "Stop", "Esc" })
        {
            if (how == "Esc")
            {
                // a fresh conversation: the first turn's text would otherwise fill the tiny model's context, and the
                // second turn could end by itself before Esc is pressed (it once did in CI, with 2 tokens)
                await page.Locator("[data-testid=clear]").ClickAsync();
                await Expect(page.Locator("[data-testid=turn-status]")).ToHaveCountAsync(0);
            }
            await Chat.SendAsync(page, "Once upon a time");
            await page.WaitForFunctionAsync("() => Number(document.querySelector('[data-testid=step-grid]').dataset.cells || 0) >= 300");
            // the browser's own clock: from the click or key to the status that says the turn stopped
            await page.EvaluateAsync("""
                () => {
                  window.__stop = { at: 0, shown: 0 };
                  const mark = () => { if (!window.__stop.at) window.__stop.at = performance.now(); };
                  document.querySelector('[data-testid=stop]').addEventListener('click', mark, { capture: true, once: true });
                  document.addEventListener('keydown', e => { if (e.key === 'Escape') mark(); }, { capture: true, once: true });
                  new MutationObserver((_, o) => {
                    const s = [...document.querySelectorAll('[data-testid=turn-status]')].pop();
                    if (s && s.dataset.status === 'cancelled') { window.__stop.shown = performance.now(); o.disconnect(); }
                  }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
                }
                """);
            if (how == "Stop") await page.Locator("[data-testid=stop]").ClickAsync();
            else
            {
                await page.Locator("h2").First.ClickAsync();   // Esc works wherever the focus is, not only in the prompt box
                await page.Keyboard.PressAsync("Escape");
            }
            await Expect(page.Locator("[data-testid=turn-status]").Last).ToHaveAttributeAsync("data-status", "cancelled");
            double pageMs = await page.EvaluateAsync<double>("() => window.__stop.shown - window.__stop.at");
            // the last draw shows what had arrived before the stop; after it, nothing more is drawn
            await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=step-grid]').dataset.finalDrawnAt");
            string cells = await grid.GetAttributeAsync("data-cells") ?? "";
            await page.WaitForTimeoutAsync(600);
            GenerationTiming run = App.Timing.Runs.Last();
            Output.WriteLine($"{how}: the page showed 'stopped' {pageMs:0} ms after the key/click; the model made {run.Steps - run.StepsAtCancel} step(s) after the cancellation reached it ({run.StopReason}).");
            LiveViewFigures.Record($"{how.ToLowerInvariant()}ShownMs", pageMs);
            if (run.StepsAtCancel is int atCancel) LiveViewFigures.Record($"{how.ToLowerInvariant()}StepsAfterCancel", run.Steps - atCancel);

            // typically 10–460 ms (docs/live-view.md); a loaded 2-core machine has taken 2 s, so the assertion allows 3 s
            Assert.True(pageMs < 3000, $"{how}: the page took {pageMs:0} ms to show the turn stopped");
            Assert.Equal(cells, await grid.GetAttributeAsync("data-cells"));   // nothing pending is drawn after the stop
            Assert.NotNull(run.StepsAtCancel);
            Assert.True(run.Steps - run.StepsAtCancel <= 1, $"{how}: the model made {run.Steps - run.StepsAtCancel} steps after the cancellation");
            await Expect(page.Locator("[data-testid=turn-status]").Last).ToContainTextAsync("stopped after");
        }
        await LiveViewFixture.ShotAsync(page, "11-stopped.png");
    }

    [Fact]
    public async Task The_trajectory_chart_has_clean_log_ticks_top_5_hover_the_scrubbed_step_and_readable_labels_at_k_256()
    {
        (IPage page, _) = await App.OpenAsync("/");
        await Chat.AnswerAsync(page, k: 256, maxTokens: 2, "The jury");
        ILocator chart = page.Locator("#trajectory");
        await Expect(chart).ToHaveAttributeAsync("data-steps", "256");

        string ticks = await chart.GetAttributeAsync("data-log-ticks") ?? "";
        Output.WriteLine($"log-axis ticks: {ticks}");
        Assert.NotEmpty(ticks);
        foreach (string tick in ticks.Split(' '))
        {
            double v = double.Parse(tick, CultureInfo.InvariantCulture);
            double mantissa = v / Math.Pow(10, Math.Floor(Math.Log10(v) + 1e-9));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0 });
        }
        double[] tickValues = ticks.Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(tickValues.OrderBy(v => v), tickValues);   // increasing, never "2, 10, 5, 2, 1"

        // x labels at K = 256: few, and none overlaps the next
        var boxes = new List<LocatorBoundingBoxResult>();
        foreach (ILocator label in await chart.Locator(".xtick text").AllAsync()) boxes.Add((await label.BoundingBoxAsync())!);
        Output.WriteLine($"x labels at K = 256: {boxes.Count}");
        Assert.InRange(boxes.Count, 4, 14);
        var byX = boxes.OrderBy(b => b.X).ToList();
        for (int i = 1; i < byX.Count; i++) Assert.True(byX[i].X >= byX[i - 1].X + byX[i - 1].Width, "x labels overlap");

        // delta and residual stay distinguishable when equal: a dashed line over a wide one with other markers
        ILocator traces = chart.Locator(".scatterlayer .trace");
        Assert.Equal(4, await traces.CountAsync());
        string residualWidth = await traces.Nth(2).Locator("path.js-line").EvaluateAsync<string>("p => getComputedStyle(p).strokeWidth");
        string deltaDash = await traces.Nth(3).Locator("path.js-line").EvaluateAsync<string>("p => getComputedStyle(p).strokeDasharray");
        Assert.Equal("4px", residualWidth);
        Assert.NotEqual("none", deltaDash);

        // hover: the top-5 of that step
        LocatorBoundingBoxResult plot = (await chart.Locator(".nsewdrag").First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(plot.X + plot.Width / 2, plot.Y + plot.Height / 2);
        await Expect(chart.Locator(".hoverlayer")).ToContainTextAsync("%");
        string hover = await chart.Locator(".hoverlayer").TextContentAsync() ?? "";
        Assert.True(hover.Count(c => c == '%') >= 5, $"hover shows fewer than 5 probabilities: {hover}");

        // the scrubbed step is marked on the chart
        await page.Locator("[data-testid=step-scrubber]").FillAsync("100");
        await Expect(page.Locator("[data-testid=step-label]")).ToHaveTextAsync("step 100 of 256");
        await Expect(chart).ToHaveAttributeAsync("data-mark", "100");
        await Expect(chart.Locator(".shapelayer path")).ToHaveCountAsync(1);
        await LiveViewFixture.ShotAsync(page, "12-chart-k256.png");
    }
}
