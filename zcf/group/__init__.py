"""Group inventories: ``zcf merge OUT... -o GROUP`` consolidates separate entity runs, exactly.

A group's subsidiaries and plants can each run ``zcf run`` on their own inputs (in a CI matrix,
on their own machines); ``zcf merge`` adds them up into one group inventory in GROUP, a folder
that ``zcf check`` and ``zcf report`` read like any other output folder.

Design: merge the datasets, then calculate once
-----------------------------------------------
The group is **not** made by adding up the parts' results.json. Many results are not sums of
the parts' results: the grid-factor vintage is chosen once for every use of the inventory, the
consolidation approach may be another one at group level (``--consolidation equity_share``
applies each site's ``equity_share`` to every line of that site), supplier coverage, intensities,
data-quality scores and product footprints are ratios, and the reconciliation counts rows. Adding
up documents would need a second implementation of each of these, which would drift.

Instead, merge builds the group's ``dataset/`` from the parts' dataset tables (:mod:`.combine`:
the rows of both, each file prefixed with its entity) and runs the very calculation ``zcf calc``
runs (:func:`zcf.pipeline.calc_step`, with the group's zcf.toml) on it. The group's lines are
therefore the union of the parts' lines — each with its input row (lineage) and a new ``entity``
column — and every total in the group's results.json is ``math.fsum`` over the group's lines by
the same code as any run. So the group's totals equal, exactly, those of one ``zcf run`` over all
the entities' inputs together (tests/test_merge.py checks it with ``==``): ``math.fsum`` is
exactly rounded, hence independent of the order of the lines.

For that equality the parts must be comparable (:mod:`.parts`): the same schema versions, factor
library version, factor sets and factor policy (which must also be the group zcf.toml's: the
group is calculated with it), GWP basis and reporting year, and no site, activity file,
certificate or other counted row in two parts. Everything is checked before GROUP is touched;
a refusal writes nothing.

Units: every emission figure is in tCO2e, energy in MWh, as in any results.json.
"""

# Modules: parts (read and compare the parts), combine (the group's dataset and organization),
# merge (write GROUP and calculate it), cli (the command's options). Nothing is imported here, so
# that ``zcf --help`` does not load pandas.
