"""The analysis stage (DESIGN §6): tipping points, sensitivity and uncertainty.

Pure functions over a loaded `KnowledgeBase` and a resolved `ScenarioInput`; the site and the
CLI call the same functions:

* `engine.analysis.flips.find_flips(kb, scenario) -> FlipReport`
* `engine.analysis.sensitivity.sensitivity(kb, scenario) -> dict[claim, Tornado]`
* `engine.analysis.simulate.simulate(kb, scenario, n, seed) -> SimulationResult`
* `engine.analysis.tornado_svg.tornado_svg(tornado) -> str`

`docs/analysis.md` documents the methods and the JSON shapes.
"""
