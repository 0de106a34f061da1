using System.Globalization;

namespace Isrm.Tests.Web.Browser;

/// <summary>Steps every chat test takes.</summary>
internal static class Chat
{
    public static async Task SetUpAsync(IPage page, int k, int maxTokens, string checkpoint = "tiny")
    {
        await Assertions.Expect(page.Locator($"[data-testid=checkpoint-select] option[value={checkpoint}]")).ToHaveCountAsync(1);
        await page.Locator("[data-testid=checkpoint-select]").SelectOptionAsync(checkpoint);
        if (k > 0)
        {
            await page.Locator("[data-testid=k-box]").FillAsync(k.ToString(CultureInfo.InvariantCulture));
            await page.Locator("[data-testid=k-box]").PressAsync("Tab");
            await Assertions.Expect(page.Locator("[data-testid=k-value]")).ToHaveTextAsync($"K = {k}");
        }
        await page.Locator(".mud-input-control:has(label:text-is('max tokens')) input").FillAsync(maxTokens.ToString(CultureInfo.InvariantCulture));
        await page.Locator(".mud-input-control:has(label:text-is('max tokens')) input").PressAsync("Tab");
    }

    public static async Task SendAsync(IPage page, string prompt)
    {
        await page.Locator("[data-testid=prompt]").FillAsync(prompt);
        await page.Locator("[data-testid=send]").ClickAsync();
    }

    /// <summary>Waits until the newest turn is done (generous: the machine running the tests may be shared).</summary>
    public static Task DoneAsync(IPage page, int timeoutMs = 60_000) =>
        Assertions.Expect(page.Locator("[data-testid=turn-status]").Last).ToHaveAttributeAsync("data-status", "done", new() { Timeout = timeoutMs });

    /// <summary>Sets up the chat, sends <paramref name="prompt"/> and waits until its answer is done.</summary>
    public static async Task AnswerAsync(IPage page, int k, int maxTokens, string prompt)
    {
        await SetUpAsync(page, k, maxTokens);
        await SendAsync(page, prompt);
        await DoneAsync(page);
    }
}
