"""Authoring helpers behind `reportgen validate`, `new`, `schema` and `watch`.

checks.py finds errors and warnings without writing output; skeleton.py writes a new brief;
schema.py turns the brief model into a JSON Schema for editors; watch.py rebuilds on save.
"""
