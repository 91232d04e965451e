"""The parts of `reportgen build`; the public face is `reportgen.build`.

(The folder is not called `build/`: that name is ignored by git and left out of the wheel.)
"""
