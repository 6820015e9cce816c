"""Fuzz targets for the inputs that cross the platform's boundary.

Each ``test_fuzz_<input>.py`` feeds arbitrary and mutated input (hypothesis) to one
importer or parser and asserts the contract every such input has: the only
exception is the documented error (or the documented error report), and when the
input is refused nothing was written. Each target is bounded
(``settings(max_examples=..., deadline=None)``) to run well under 30 seconds, so
they run with the rest of the suite in CI; raise ``max_examples`` locally to dig
deeper, e.g. ``HYPOTHESIS_PROFILE=dev``-style overrides in a scratch copy.
"""
