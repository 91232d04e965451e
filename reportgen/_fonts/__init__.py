"""Static cuts of the default font families, shipped so a first run never cuts fonts.

Made by `python -m reportgen._fonts.regenerate` (see reportgen.fonts); the OFL licences of
the families are beside them.
"""
