"""Pure computations over the results: fits and break-even, phase shares, speed-ups, the CPU split, import profiles.

Numbers in, numbers out: no markdown, no charts (those are report/sections/).
"""
