"""The analysis stage (DESIGN §6): tipping points, sensitivity and uncertainty.

Pure functions over a loaded `KnowledgeBase` and a resolved `ScenarioInput`; the site and the
CLI call the same functions (the site draws tornado charts itself, in `engine.site.tornado_svg`):

* `engine.analysis.flips.find_flips(kb, scenario) -> FlipReport`
* `engine.analysis.sensitivity.sensitivity(kb, scenario) -> dict[claim, Tornado]`
* `engine.analysis.simulate.simulate(kb, scenario, n, seed) -> SimulationResult`

`docs/analysis.md` documents the methods and the JSON shapes.
"""
