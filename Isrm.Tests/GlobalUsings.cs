// What most test files of this project read: xUnit's output helper, and for the browser tests Playwright with its
// web-first assertions (Expect).
global using Microsoft.Playwright;
global using Xunit.Abstractions;
global using static Microsoft.Playwright.Assertions;

// The test folders mirror the projects (Model/…, Cli, Web, Research, Bench) and each folder is a namespace; shared
// fixtures (Support/) are in Isrm.Tests itself. Tests reach each other's helpers through these.
global using Isrm.Tests.Bench;
global using Isrm.Tests.Build;
global using Isrm.Tests.Checks;
global using Isrm.Tests.Cli;
global using Isrm.Tests.Model.Checkpoints;
global using Isrm.Tests.Model.Config;
global using Isrm.Tests.Model.Data;
global using Isrm.Tests.Model.Generation;
global using Isrm.Tests.Model.Modules;
global using Isrm.Tests.Model.Reasoning;
global using Isrm.Tests.Model.Recurrent;
global using Isrm.Tests.Model.Refinement;
global using Isrm.Tests.Model.Runtime;
global using Isrm.Tests.Model.Tasks;
global using Isrm.Tests.Model.Tokenization;
global using Isrm.Tests.Model.Training;
global using Isrm.Tests.Reference;
global using Isrm.Tests.Research;
global using Isrm.Tests.Support.Provisioning;
global using Isrm.Tests.Web;
global using Isrm.Tests.Web.Browser;
