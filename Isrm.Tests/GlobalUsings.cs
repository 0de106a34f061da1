// What most test files of this project read: xUnit's output helper, and for the browser tests Playwright with its
// web-first assertions (Expect).
global using Microsoft.Playwright;
global using Xunit.Abstractions;
global using static Microsoft.Playwright.Assertions;
