namespace Isrm.Cli;

/// <summary>The <c>isrm</c> executable: everything it does is in <see cref="IsrmCommandLine"/>.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Redirected output reports 80 columns, which would wrap every table row; files and pipes get wide rows.
        if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
        return await IsrmCommandLine.RunAsync(args);
    }
}
