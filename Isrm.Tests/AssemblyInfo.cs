// TorchSharp's random generator and thread settings are process-global: tests that seed it and then draw from it
// (model initialisation, exact-resume checks) must not interleave with other tests drawing from it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
