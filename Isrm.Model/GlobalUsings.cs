// Namespaces most files of this project read (kept here rather than at the top of each file).
global using Isrm.Model.Checkpoints;
global using Isrm.Model.Config;
global using Isrm.Model.Data;
global using Isrm.Model.Modules;
global using Isrm.Model.Refinement;
global using Isrm.Model.Runtime;
global using Isrm.Model.Tokenization;
global using Isrm.Model.Training;
global using System.Diagnostics;
global using System.Runtime.InteropServices;
global using System.Security.Cryptography;
global using System.Text.Json.Serialization;
global using System.Text.Json;
global using System.Text;
global using TorchSharp.Modules;
global using TorchSharp;
global using static TorchSharp.torch;
