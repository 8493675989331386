"""Enforcement route planning: the street network (network), the expected yield per
blockface and time slot (expected_yield), shift plans with PyVRP and a nearest-neighbour
baseline (planner), and the proof by simulation (replay). See routing/README.md."""
